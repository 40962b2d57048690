import { randomUUID, type Hash } from 'node:crypto';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { pipeline as pipelinePromise } from 'node:stream/promises';
import type { MetadataStore } from '../metadata/index.js';
import { createDigester, parseDigest, type ParsedDigest } from '../oci/digest.js';
import { RegistryError } from '../oci/errors.js';
import { isValidName } from '../oci/reference.js';
import type { ByteRange } from '../oci/range.js';
import { UploadNotFoundError, UploadOffsetError, type BlobStore } from '../storage/index.js';
import { KeyedMutex } from './locks.js';
import type { QuotaGuard, QuotaHold } from './quota.js';
import { exactLengthStream, hashingStream, holdingStream } from './streams.js';

export interface UploadOptions {
  /** Sessions idle for longer than this are removed with their bytes. */
  expiryMs: number;
  /** Whether a mount without `from` looks for the blob in other repositories. */
  automaticMount: boolean;
  quota: QuotaGuard;
}

export interface StartUpload {
  mount?: string;
  from?: string;
  /** Monolithic upload: the digest of the POST body. */
  digest?: string;
  body?: Readable;
  /** The body's Content-Length, when the client declared one: a quota refuses it unread. */
  length?: number;
}

export type StartResult =
  | { kind: 'mounted'; digest: string }
  | { kind: 'created'; digest: string }
  | { kind: 'session'; id: string; size: number };

export interface Chunk {
  body: Readable;
  /** The chunk's Content-Range, when the client sent one. */
  range?: ByteRange;
  /** The body's Content-Length, when the client declared one. */
  length?: number;
}

export interface MountPolicy {
  /** Whether the caller may read the source repository of a mount. */
  canMount(source: string): boolean | Promise<boolean>;
}

const allowAll: MountPolicy = { canMount: () => true };

/**
 * Upload sessions (distribution spec v1.1 "Pushing blobs"). A session's state is its database
 * row plus the bytes in the blob store, so any node, or the same node after a restart, can
 * continue it; the Location handed out names only the session id and never goes stale.
 */
export class UploadService {
  private readonly locks = new KeyedMutex();
  /** Running sha256 per session, valid only while its offset matches the stored size. */
  private readonly hashes = new Map<string, { offset: number; hash: Hash }>();

  constructor(
    private readonly meta: MetadataStore,
    private readonly store: BlobStore,
    private readonly options: UploadOptions,
  ) {}

  async start(repository: string, request: StartUpload, policy = allowAll): Promise<StartResult> {
    const repositoryId = await this.meta.ensureRepository(repository);

    if (request.mount !== undefined) {
      const mounted = await this.tryMount(repositoryId, repository, request, policy);
      if (mounted) return { kind: 'mounted', digest: mounted };
    }

    const id = await this.createSession(repositoryId);
    if (request.digest === undefined) return { kind: 'session', id, size: 0 };

    // The client never learns this session's Location, so a failed one-shot upload must not
    // leave it (and its bytes) behind until the expiry sweep.
    try {
      const digest = await this.finish(repository, id, request.digest, {
        body: request.body ?? emptyBody(),
        length: request.length,
      });
      return { kind: 'created', digest };
    } catch (err) {
      await this.locks.run(id, () => this.remove(id));
      throw err;
    }
  }

  async append(repository: string, id: string, chunk: Chunk): Promise<number> {
    return this.locks.run(id, async () => {
      const session = await this.session(repository, id);
      const size = await this.writeChunk(repository, id, chunk);
      await this.meta.touchUpload(session.id);

      return size;
    });
  }

  async status(repository: string, id: string): Promise<number> {
    await this.session(repository, id);

    return this.sizeOf(id);
  }

  /** Appends a last chunk if any, verifies the digest, and commits the blob. */
  async finish(repository: string, id: string, digest: string, last?: Chunk): Promise<string> {
    const expected = parseDigest(digest);

    return this.locks.run(id, async () => {
      const session = await this.session(repository, id);
      // Held until the blob is linked, so that no other upload sees its bytes as free between
      // the last chunk and the link.
      const hold = await this.options.quota.hold(repository);
      try {
        const size = last
          ? await this.writeChunk(repository, id, last, hold)
          : await this.holdStaged(repository, id, hold);
        await this.commit(session.repositoryId, id, expected, size);
        hold?.release(true);
      } catch (err) {
        hold?.release();
        throw err;
      }
      this.options.quota.added(repository);

      return expected.digest;
    });
  }

  /** Verifies the staged bytes against the digest, then makes them the blob. */
  private async commit(
    repositoryId: number,
    id: string,
    expected: ParsedDigest,
    size: number,
  ): Promise<void> {
    const actual = await this.digestOf(id, size, expected);
    if (actual !== expected.digest) {
      // The bytes can never become the blob the client meant, and a last chunk sent with the
      // PUT is already in them: like distribution, end the session so the client starts over.
      await this.remove(id);
      throw new RegistryError(
        'DIGEST_INVALID',
        `upload content has digest ${actual}, not ${expected.digest}; the upload was cancelled`,
      );
    }

    await this.store.commit(id, expected.digest);
    await this.meta.linkBlob(repositoryId, expected.digest, size);
    await this.meta.deleteUpload(id);
    this.hashes.delete(id);
  }

  /** A PUT without a body: the staged chunks must still fit when the blob is committed. */
  private async holdStaged(repository: string, id: string, hold?: QuotaHold): Promise<number> {
    const size = await this.sizeOf(id);
    if (hold && !hold.add(size)) throw quotaExceeded(repository, hold.remaining());

    return size;
  }

  async cancel(repository: string, id: string): Promise<void> {
    await this.locks.run(id, async () => {
      await this.session(repository, id);
      await this.remove(id);
    });
  }

  /** Removes sessions idle past the expiry, and staging files no session owns. */
  async sweep(now = Date.now()): Promise<number> {
    const before = now - this.options.expiryMs;
    const stale = await this.meta.listStaleUploads(before);
    for (const id of stale) await this.locks.run(id, () => this.remove(id));

    let orphans = 0;
    for await (const entry of this.store.listUploads()) {
      if (entry.modifiedAt.getTime() >= before) continue;
      if (await this.meta.uploadExists(entry.id)) continue;
      await this.store.removeUpload(entry.id);
      orphans += 1;
    }

    return stale.length + orphans;
  }

  private async tryMount(
    repositoryId: number,
    repository: string,
    request: StartUpload,
    policy: MountPolicy,
  ): Promise<string | undefined> {
    const digest = request.mount as string;
    if (!parseDigestOrUndefined(digest)) return undefined;

    const sources = await this.mountSources(digest, request.from, repository);
    for (const source of sources) {
      if (!(await policy.canMount(source))) continue;
      const sourceId = await this.meta.findRepository(source);
      const size =
        sourceId === undefined ? undefined : await this.meta.linkedBlobSize(sourceId, digest);
      if (size === undefined || !(await this.store.stat(digest))) continue;

      const allowance = await this.options.quota.remaining(repository);
      if (size > allowance && !(await this.options.quota.counts(repository, 'blob', digest)))
        throw quotaExceeded(repository, allowance);
      await this.meta.linkBlob(repositoryId, digest, size);
      this.options.quota.added(repository);
      return digest;
    }

    return undefined;
  }

  /**
   * Where a mount may come from. Without `from`, the spec lets the registry pick a source
   * (v1.1 "Mounting a blob from another repository"); Berth looks among repositories that link it.
   */
  private async mountSources(
    digest: string,
    from: string | undefined,
    target: string,
  ): Promise<string[]> {
    if (from !== undefined) return isValidName(from) ? [from] : [];
    if (!this.options.automaticMount) return [];

    const linking = await this.meta.repositoriesLinking(digest);
    return linking.filter((name) => name !== target);
  }

  private async createSession(repositoryId: number): Promise<string> {
    const id = randomUUID();
    await this.store.createUpload(id);
    await this.meta.createUpload(id, repositoryId);
    this.hashes.set(id, { offset: 0, hash: createDigester('sha256') });

    return id;
  }

  private async session(repository: string, id: string) {
    const session = await this.meta.getUpload(id);
    if (!session || session.repository !== repository) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is unknown to ${repository}`);
    }

    return session;
  }

  private async sizeOf(id: string): Promise<number> {
    const size = await this.store.uploadSize(id);
    if (size === undefined)
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} has no data`);

    return size;
  }

  /**
   * Appends a chunk at the session's offset. A `held` hold (the last chunk of a finish) is the
   * caller's to release; otherwise the chunk's own hold ends with the write.
   */
  private async writeChunk(
    repository: string,
    id: string,
    chunk: Chunk,
    held?: QuotaHold,
  ): Promise<number> {
    const offset = await this.sizeOf(id);
    if (chunk.range && chunk.range.start !== offset) {
      throw outOfOrder(repository, id, offset, chunk.range);
    }

    const stages: NodeJS.ReadWriteStream[] = [];
    const hold = held ?? (await this.options.quota.hold(repository));
    const own = held ? undefined : hold;
    if (hold) {
      const declared = chunk.range ? chunk.range.end - chunk.range.start + 1 : chunk.length;
      const exceeded = () => quotaExceeded(repository, hold.remaining());
      // The session's earlier chunks count only once the blob is committed: hold them too.
      // Refuse before reading when the size is known; otherwise stop at the limit, and the
      // store rolls the partial chunk back.
      if (!hold.add(offset + (declared ?? 0))) {
        own?.release();
        throw exceeded();
      }
      if (declared === undefined) stages.push(holdingStream(hold, exceeded));
    }
    if (chunk.range) {
      const length = chunk.range.end - chunk.range.start + 1;
      stages.push(exactLengthStream(length, (n) => sizeMismatch(length, n)));
    }
    const running = this.hashes.get(id);
    const hashing = running && running.offset === offset ? running : undefined;
    if (!hashing) this.hashes.delete(id);
    if (hashing) stages.push(hashingStream(hashing.hash));

    try {
      const source = stages.length === 0 ? chunk.body : chain(chunk.body, stages);
      const size = await this.store.append(id, offset, source);
      if (hashing) hashing.offset = size;
      return size;
    } catch (err) {
      // The store rolled the bytes back, but the running hash has seen them: drop it.
      this.hashes.delete(id);
      throw translateStoreError(err, repository, id, chunk.range);
    } finally {
      own?.release();
    }
  }

  /** The digest of the session's bytes, from the running hash when it is current. */
  private async digestOf(id: string, size: number, expected: ParsedDigest): Promise<string> {
    const running = this.hashes.get(id);
    if (expected.algorithm === 'sha256' && running && running.offset === size) {
      return `sha256:${running.hash.copy().digest('hex')}`;
    }

    const hash = createDigester(expected.algorithm);
    await pipelinePromise(
      await this.store.readUpload(id),
      hashingStream(hash),
      new PassThrough().resume(),
    );
    return `${expected.algorithm}:${hash.digest('hex')}`;
  }

  private async remove(id: string): Promise<void> {
    this.hashes.delete(id);
    await this.store.removeUpload(id);
    await this.meta.deleteUpload(id);
  }
}

/** The upload URL path for a session; relative, as the spec allows (v1.1 "Pushing blobs"). */
export function uploadLocation(repository: string, id: string): string {
  return `/v2/${repository}/blobs/uploads/${id}`;
}

/** `Range` for an upload of `size` bytes; distribution answers `0-0` for an empty session too. */
export function uploadRange(size: number): string {
  return `0-${Math.max(size - 1, 0)}`;
}

function outOfOrder(
  repository: string,
  id: string,
  offset: number,
  range: ByteRange,
): RegistryError {
  return new RegistryError(
    'BLOB_UPLOAD_INVALID',
    `chunk starts at ${range.start} but the upload is at offset ${offset}`,
    {
      status: 416,
      headers: { Location: uploadLocation(repository, id), Range: uploadRange(offset) },
    },
  );
}

function sizeMismatch(expected: number, actual: number): RegistryError {
  return new RegistryError(
    'SIZE_INVALID',
    `chunk body has ${actual > expected ? 'more than' : 'only'} ${actual > expected ? expected : actual} bytes, Content-Range says ${expected}`,
  );
}

function translateStoreError(
  err: unknown,
  repository: string,
  id: string,
  range?: ByteRange,
): unknown {
  if (err instanceof UploadOffsetError && range)
    return outOfOrder(repository, id, err.actual, range);
  if (err instanceof UploadOffsetError) {
    return new RegistryError('BLOB_UPLOAD_INVALID', 'concurrent write to the upload', {
      status: 416,
    });
  }
  if (err instanceof UploadNotFoundError) {
    return new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${id} is unknown to ${repository}`);
  }

  return err;
}

/**
 * Joins the request body and the checking stages into one stream for the blob store. pipeline
 * listens for errors on every stage and destroys the rest when one fails (a chunk longer than its
 * Content-Range, a client hanging up), so the store sees the failure and rolls the append back,
 * and no error is left without a listener while bytes flow before the store attaches.
 */
function chain(source: Readable, stages: NodeJS.ReadWriteStream[]): Readable {
  return pipeline([source, ...stages], () => undefined) as unknown as Readable;
}

function emptyBody(): Readable {
  return new PassThrough().end() as unknown as Readable;
}

function parseDigestOrUndefined(value: string): ParsedDigest | undefined {
  try {
    return parseDigest(value);
  } catch {
    return undefined;
  }
}

/** Quota refusals are DENIED (403), as Harbor answers them, with the figures that explain them. */
export function quotaExceeded(repository: string, allowance: number): RegistryError {
  return new RegistryError(
    'DENIED',
    `the push would exceed the storage quota of the project of ${repository} ` +
      `(${Math.max(0, allowance)} bytes left)`,
    { detail: { reason: 'quota', remainingBytes: Math.max(0, allowance) } },
  );
}
