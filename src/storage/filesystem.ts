import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tryParseDigest } from '../oci/digest.js';
import type { ByteRange } from '../oci/range.js';
import { FileRangeStream, ReadBuffers } from './filestream.js';
import {
  BlobNotFoundError,
  UploadNotFoundError,
  UploadOffsetError,
  type BlobStat,
  type BlobStore,
  type UploadEntry,
} from './blobstore.js';

/** Upload digests are re-read with 1 MiB reads: Node's default 64 KiB costs 2-3x more CPU. */
const readBufferSize = 1024 * 1024;
/**
 * Memory that concurrent blob GETs may hold in read buffers together (see ReadBuffers): enough
 * for 1 MiB reads on up to 32 streams, a few hundred KiB each in a crowd of pulls.
 */
const readBudget = 64 * 1024 * 1024;
const writeBufferSize = 1024 * 1024;
const uploadIdPattern = /^[a-zA-Z0-9_-]{1,128}$/;

/**
 * Filesystem driver. Layout under `root`:
 *   blobs/<algorithm>/<first two hex>/<hex>   committed content
 *   uploads/<id>                              upload staging files
 *   tmp/                                      small writes before their rename
 * Commits are fsync + rename + directory fsync, so after a crash a blob is either whole or absent.
 */
export class FilesystemBlobStore implements BlobStore {
  readonly driver = 'filesystem';
  private readonly buffers = new ReadBuffers(readBudget);

  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<FilesystemBlobStore> {
    const store = new FilesystemBlobStore(path.resolve(root));
    await Promise.all(
      ['blobs', 'uploads', 'tmp'].map((dir) =>
        mkdir(path.join(store.root, dir), { recursive: true }),
      ),
    );
    await rm(path.join(store.root, 'tmp'), { recursive: true, force: true });
    await mkdir(path.join(store.root, 'tmp'), { recursive: true });

    return store;
  }

  async stat(digest: string): Promise<BlobStat | undefined> {
    try {
      const info = await stat(this.blobPath(digest));
      return { size: info.size };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const handle = await open(this.blobPath(digest), 'r').catch((err: unknown) => {
      throw isNotFound(err) ? new BlobNotFoundError(digest) : err;
    });
    try {
      const end = range ? range.end + 1 : (await handle.stat()).size;
      return new FileRangeStream(handle, range?.start ?? 0, end, this.buffers);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async readAll(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (err) {
      throw isNotFound(err) ? new BlobNotFoundError(digest) : err;
    }
  }

  async writeAll(digest: string, data: Uint8Array): Promise<void> {
    const target = this.blobPath(digest);
    if (await exists(target)) return;

    const temp = path.join(this.root, 'tmp', randomUUID());
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.publish(temp, target);
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async createUpload(id: string): Promise<void> {
    const handle = await open(this.uploadPath(id), 'wx');
    await handle.close();
  }

  async uploadSize(id: string): Promise<number | undefined> {
    try {
      return (await stat(this.uploadPath(id))).size;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async append(id: string, offset: number, source: Readable): Promise<number> {
    const file = this.uploadPath(id);
    const size = await this.uploadSize(id);
    if (size === undefined) throw new UploadNotFoundError(id);
    if (size !== offset) throw new UploadOffsetError(id, offset, size);

    const sink = createWriteStream(file, {
      flags: 'r+',
      start: offset,
      highWaterMark: writeBufferSize,
    });
    try {
      await pipeline(source, sink);
    } catch (err) {
      await truncate(file, offset).catch(() => undefined);
      throw err;
    }

    return offset + sink.bytesWritten;
  }

  async readUpload(id: string): Promise<Readable> {
    const file = this.uploadPath(id);
    if ((await this.uploadSize(id)) === undefined) throw new UploadNotFoundError(id);

    return createReadStream(file, { highWaterMark: readBufferSize });
  }

  async commit(id: string, digest: string): Promise<void> {
    const file = this.uploadPath(id);
    const handle = await open(file, 'r+').catch((err: unknown) => {
      throw isNotFound(err) ? new UploadNotFoundError(id) : err;
    });
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }

    await this.publish(file, this.blobPath(digest));
  }

  async removeUpload(id: string): Promise<void> {
    await rm(this.uploadPath(id), { force: true });
  }

  async *listUploads(): AsyncIterable<UploadEntry> {
    const dir = path.join(this.root, 'uploads');
    for (const name of await readdir(dir)) {
      const info = await stat(path.join(dir, name)).catch(() => undefined);
      if (info) yield { id: name, modifiedAt: info.mtime };
    }
  }

  async close(): Promise<void> {}

  /** Renames a durable file into place and makes the rename itself durable. */
  private async publish(from: string, to: string): Promise<void> {
    const dir = path.dirname(to);
    await mkdir(dir, { recursive: true });
    await rename(from, to);
    await fsyncDirectory(dir);
  }

  private blobPath(digest: string): string {
    const parsed = tryParseDigest(digest);
    if (!parsed) throw new Error(`refusing malformed digest ${JSON.stringify(digest)}`);

    return path.join(this.root, 'blobs', parsed.algorithm, parsed.hex.slice(0, 2), parsed.hex);
  }

  private uploadPath(id: string): string {
    if (!uploadIdPattern.test(id)) throw new UploadNotFoundError(id);

    return path.join(this.root, 'uploads', id);
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
