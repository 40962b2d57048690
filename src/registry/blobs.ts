import type { Readable } from 'node:stream';
import type { MetadataStore } from '../metadata/index.js';
import { parseDigest } from '../oci/digest.js';
import { RegistryError } from '../oci/errors.js';
import { resolveRange, type ByteRange } from '../oci/range.js';
import { BlobNotFoundError, type BlobStore } from '../storage/index.js';
import type { PullRecorder } from './pulls.js';

export interface BlobContent {
  digest: string;
  size: number;
  /** Set when a range was requested and is satisfiable. */
  range?: ByteRange;
  /** Absent for HEAD. */
  stream?: Readable;
}

/**
 * Blobs as a repository sees them: a blob is visible in a repository once pushed or mounted
 * there (or, for a manifest's own bytes, once the manifest is), and not in any other.
 */
export class BlobService {
  constructor(
    private readonly meta: MetadataStore,
    private readonly store: BlobStore,
    private readonly pulls: PullRecorder,
  ) {}

  async stat(repository: string, digest: string): Promise<BlobContent> {
    const parsed = parseDigest(digest);
    const { size } = await this.locate(repository, parsed.digest);

    return { digest: parsed.digest, size };
  }

  /**
   * Opens a blob for a GET. With a Range header the answer is a satisfiable range or a 416,
   * never the whole blob (a client asking for a range cannot take a 200 body as that range).
   */
  async open(repository: string, digest: string, rangeHeader?: string): Promise<BlobContent> {
    const parsed = parseDigest(digest);
    const { repositoryId, size } = await this.locate(repository, parsed.digest);

    const request = resolveRange(rangeHeader, size);
    if (request.kind === 'unsatisfiable') {
      throw new RegistryError('SIZE_INVALID', `range not satisfiable: ${request.reason}`, {
        status: 416,
        headers: { 'Content-Range': `bytes */${size}` },
      });
    }
    const range = request.kind === 'satisfiable' ? request.range : undefined;

    const stream = await this.store.read(parsed.digest, range).catch((err: unknown) => {
      if (err instanceof BlobNotFoundError) throw unknownBlob(parsed.digest);
      throw err;
    });
    this.pulls.record(repositoryId, 'blob', parsed.digest);

    return { digest: parsed.digest, size, range, stream };
  }

  /** Unlinks a blob from a repository; the bytes go when no repository links them any more. */
  async delete(repository: string, digest: string): Promise<void> {
    const parsed = parseDigest(digest);
    const repositoryId = await this.meta.findRepository(repository);
    if (repositoryId === undefined || !(await this.meta.unlinkBlob(repositoryId, parsed.digest))) {
      throw unknownBlob(parsed.digest);
    }
  }

  private async locate(
    repository: string,
    digest: string,
  ): Promise<{ repositoryId: number; size: number }> {
    const repositoryId = await this.meta.findRepository(repository);
    if (repositoryId === undefined) throw unknownBlob(digest);

    const size =
      (await this.meta.linkedBlobSize(repositoryId, digest)) ??
      (await this.meta.getManifest(repositoryId, digest))?.size;
    if (size === undefined) throw unknownBlob(digest);

    return { repositoryId, size };
  }
}

function unknownBlob(digest: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', `blob ${digest} is unknown to this repository`, {
    detail: { digest },
  });
}
