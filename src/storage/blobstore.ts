import type { Readable } from 'node:stream';
import type { ByteRange } from '../oci/range.js';

/**
 * The content store: digests and bytes, nothing about repositories, users or HTTP.
 *
 * Visibility rule: a blob becomes readable only through `commit` or `writeAll`, and only once
 * its bytes are durable, so a reader never sees a torn blob whatever the writer's fate. Upload
 * sessions are private staging areas addressed by an opaque id; their size is the number of
 * bytes durably appended so far, and a failed append leaves the size it found.
 *
 * Digests passed in are already validated (`algorithm:hex`); drivers still refuse anything else.
 */
export interface BlobStore {
  /** Driver name for logs and metrics ("filesystem", "s3"). */
  readonly driver: string;

  /** Size of a committed blob, or undefined when it is absent. */
  stat(digest: string): Promise<BlobStat | undefined>;

  /**
   * Opens a committed blob for streaming, optionally a byte range (both ends inclusive, already
   * clamped to the size). Rejects with BlobNotFoundError when absent. The file is opened before
   * this resolves, so a concurrent delete cannot cut the stream short.
   */
  read(digest: string, range?: ByteRange): Promise<Readable>;

  /** Reads a small committed blob (a manifest) whole. Rejects with BlobNotFoundError. */
  readAll(digest: string): Promise<Buffer>;

  /** Stores small content under its digest atomically; a no-op when it already exists. */
  writeAll(digest: string, data: Uint8Array): Promise<void>;

  /** Removes a committed blob; absent blobs are ignored. */
  delete(digest: string): Promise<void>;

  /** Starts an empty upload session's staging area. */
  createUpload(id: string): Promise<void>;

  /** Bytes appended to an upload so far, or undefined when the upload does not exist. */
  uploadSize(id: string): Promise<number | undefined>;

  /**
   * Appends `source` to an upload whose current size must equal `offset`, and resolves with the
   * new size. When `source` errors or is aborted, the upload is cut back to `offset`, so a
   * truncated request never leaves half a chunk behind. Rejects with UploadOffsetError when the
   * size is not `offset`, and with UploadNotFoundError when the upload is gone.
   */
  append(id: string, offset: number, source: Readable): Promise<number>;

  /** Streams an upload's bytes from the start, to re-compute a digest after a restart. */
  readUpload(id: string): Promise<Readable>;

  /**
   * Makes an upload's bytes the committed blob `digest`, durably and atomically; the upload is
   * gone afterwards. The caller has verified the digest. Committing content that already exists
   * is safe: both copies hold the same bytes.
   */
  commit(id: string, digest: string): Promise<void>;

  /** Discards an upload's bytes; absent uploads are ignored. */
  removeUpload(id: string): Promise<void>;

  /** Every upload staging area with its last modification time, for expiry sweeps. */
  listUploads(): AsyncIterable<UploadEntry>;

  /** Releases resources (handles, clients). */
  close(): Promise<void>;
}

export interface BlobStat {
  size: number;
}

export interface UploadEntry {
  id: string;
  modifiedAt: Date;
}

export class BlobNotFoundError extends Error {
  constructor(readonly digest: string) {
    super(`blob ${digest} not found`);
    this.name = 'BlobNotFoundError';
  }
}

export class UploadNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`upload ${id} not found`);
    this.name = 'UploadNotFoundError';
  }
}

export class UploadOffsetError extends Error {
  constructor(
    readonly id: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`upload ${id} is at offset ${actual}, not ${expected}`);
    this.name = 'UploadOffsetError';
  }
}
