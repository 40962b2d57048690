import type { MetadataStore, ManifestRecord, ManifestReference } from '../metadata/index.js';
import { digestOf, type DigestAlgorithm } from '../oci/digest.js';
import { RegistryError } from '../oci/errors.js';
import { normaliseContentType, parseManifest, type ParsedManifest } from '../oci/manifest.js';
import { isForeignLayer } from '../oci/mediatypes.js';
import {
  isValidTag,
  parseManifestReference,
  type ManifestReference as Reference,
} from '../oci/reference.js';
import type { BlobStore } from '../storage/index.js';
import type { ContentCache } from './cache.js';
import { noQuota, type QuotaGuard } from './quota.js';
import { quotaExceeded } from './uploads.js';
import type { PullRecorder } from './pulls.js';

export interface ManifestContent {
  digest: string;
  mediaType: string;
  size: number;
  /** Absent for HEAD. */
  body?: Buffer;
}

export interface PutResult {
  digest: string;
  subject?: string;
  /** Tags now pointing at the manifest. */
  tags: string[];
}

/** More `?tag=` values than this are refused (the spec's 414 for too many tags). */
const maxTagsPerPush = 100;

export interface ManifestOptions {
  maxBytes: number;
}

/** A manifest just stored, as listeners (the scanner) learn of it. */
export interface StoredManifest {
  repository: string;
  repositoryId: number;
  digest: string;
  mediaType: string;
  /** The config's media type for image manifests; undefined for indexes. */
  configMediaType?: string;
  artifactType?: string;
  subject?: string;
  /** Child manifests of an index. */
  children: string[];
  tags: string[];
}

export type ManifestListener = (manifest: StoredManifest) => void;

/** Manifests and tags: stored byte-exact, served by tag or digest, with content negotiation. */
export class ManifestService {
  constructor(
    private readonly meta: MetadataStore,
    private readonly store: BlobStore,
    private readonly cache: ContentCache,
    private readonly pulls: PullRecorder,
    readonly options: ManifestOptions,
    private readonly quota: QuotaGuard = noQuota,
    private readonly onStored: ManifestListener = () => {},
  ) {}

  async get(
    repository: string,
    reference: string,
    accept: string[],
    withBody: boolean,
  ): Promise<ManifestContent> {
    const ref = parseManifestReference(reference);
    const repositoryId = await this.meta.findRepository(repository);
    if (repositoryId === undefined) throw unknownManifest(repository, reference);

    const record =
      ref.kind === 'tag'
        ? await this.meta.getTaggedManifest(repositoryId, ref.tag)
        : await this.meta.getManifest(repositoryId, ref.digest);
    if (!record) throw unknownManifest(repository, reference);
    assertAcceptable(record, accept);

    const body = withBody ? await this.bytes(record.digest) : undefined;
    // Only a GET is a pull: tools that poll tags with HEAD (update checkers, CI gates) would
    // otherwise keep every image looking recently used to retention.
    if (withBody) this.recordPull(repositoryId, ref, record.digest);

    return { digest: record.digest, mediaType: record.mediaType, size: record.size, body };
  }

  /**
   * Stores a manifest pushed by tag or by digest. `extraTags` are the `?tag=` parameters of a push
   * (distribution spec main, "Pushing Manifests with Tags"), applied in the manifest's transaction.
   */
  async put(
    repository: string,
    reference: string,
    body: Buffer,
    contentType?: string,
    extraTags: string[] = [],
  ): Promise<PutResult> {
    const ref = parseManifestReference(reference, true);
    const tags = tagsOf(ref, extraTags);
    const algorithm: DigestAlgorithm = ref.kind === 'digest' ? ref.algorithm : 'sha256';
    const digest = digestOf(body, algorithm);
    if (ref.kind === 'digest' && ref.digest !== digest) {
      throw new RegistryError('DIGEST_INVALID', `manifest has digest ${digest}, not ${ref.digest}`);
    }

    const manifest = parseManifest(body, contentType);
    const repositoryId = await this.meta.ensureRepository(repository);
    await this.assertReferencesExist(repositoryId, manifest);
    await this.checkQuota(repository, digest, body.length);

    await this.store.writeAll(digest, body);
    const record = toRecord(digest, body.length, manifest);
    await this.meta.putManifest(repositoryId, record, referencesOf(manifest), tags);
    this.cache.set(digest, body);
    this.quota.added(repository);
    this.onStored({
      repository,
      repositoryId,
      digest,
      mediaType: manifest.mediaType,
      configMediaType: manifest.config?.mediaType,
      artifactType: manifest.artifactType,
      subject: manifest.subject?.digest,
      children: manifest.manifests.map((child) => child.digest),
      tags,
    });

    return { digest, subject: manifest.subject?.digest, tags };
  }

  /** Deleting by tag removes only the tag; by digest, the manifest and every tag on it. */
  async delete(repository: string, reference: string): Promise<void> {
    const ref = parseManifestReference(reference);
    const repositoryId = await this.meta.findRepository(repository);
    if (repositoryId === undefined) throw unknownManifest(repository, reference);

    const deleted =
      ref.kind === 'tag'
        ? await this.meta.deleteTag(repositoryId, ref.tag)
        : await this.meta.deleteManifest(repositoryId, ref.digest);
    if (!deleted) throw unknownManifest(repository, reference);
  }

  private async bytes(digest: string): Promise<Buffer> {
    const cached = this.cache.get(digest);
    if (cached) return cached;

    const body = await this.store.readAll(digest);
    this.cache.set(digest, body);
    return body;
  }

  /**
   * Every blob an image manifest names, and every child of an index, must already be in the
   * repository (v1.1 "Pushing Manifests"); foreign and non-distributable layers live elsewhere.
   * The subject need not exist: referrers may be pushed before what they refer to.
   */
  /** Refuses a manifest the project's quota has no room for, unless it already counts there. */
  private async checkQuota(repository: string, digest: string, size: number): Promise<void> {
    const allowance = await this.quota.remaining(repository);
    if (size <= allowance || (await this.quota.counts(repository, 'manifest', digest))) return;

    throw quotaExceeded(repository, allowance);
  }

  private async assertReferencesExist(
    repositoryId: number,
    manifest: ParsedManifest,
  ): Promise<void> {
    const blobs = [manifest.config, ...manifest.layers]
      .filter((d) => d !== undefined && !isForeignLayer(d.mediaType))
      .map((d) => d!.digest);
    const missingBlobs = await this.meta.missingBlobs(repositoryId, blobs);
    const missingManifests = await this.meta.missingManifests(
      repositoryId,
      manifest.manifests.map((d) => d.digest),
    );

    const missing = [...missingBlobs, ...missingManifests];
    if (missing.length > 0) {
      throw new RegistryError(
        'MANIFEST_BLOB_UNKNOWN',
        `manifest references ${missing.length} unknown blob(s) or manifest(s), first ${missing[0]}`,
        { detail: { digests: missing.slice(0, 20) } },
      );
    }
  }

  private recordPull(repositoryId: number, ref: Reference, digest: string): void {
    if (ref.kind === 'tag') this.pulls.record(repositoryId, 'tag', ref.tag);
    this.pulls.record(repositoryId, 'manifest', digest);
  }
}

function tagsOf(ref: Reference, extraTags: string[]): string[] {
  if (extraTags.length > maxTagsPerPush) {
    throw new RegistryError('MANIFEST_INVALID', `at most ${maxTagsPerPush} tags per push`, {
      status: 414,
    });
  }
  for (const tag of extraTags) {
    if (!isValidTag(tag))
      throw new RegistryError('MANIFEST_INVALID', `invalid tag "${tag.slice(0, 80)}"`);
  }

  const tags = ref.kind === 'tag' ? [ref.tag, ...extraTags] : extraTags;
  return [...new Set(tags)];
}

function toRecord(digest: string, size: number, manifest: ParsedManifest): ManifestRecord {
  return {
    digest,
    mediaType: manifest.mediaType,
    artifactType: manifest.artifactType ?? null,
    size,
    subjectDigest: manifest.subject?.digest ?? null,
    configDigest: manifest.config?.digest ?? null,
    annotations: manifest.annotations ?? null,
    pushedAt: Date.now(),
  };
}

function referencesOf(manifest: ParsedManifest): ManifestReference[] {
  const references: ManifestReference[] = manifest.layers.map((d) => ({
    digest: d.digest,
    kind: 'layer',
  }));
  if (manifest.config) references.push({ digest: manifest.config.digest, kind: 'config' });
  for (const child of manifest.manifests)
    references.push({ digest: child.digest, kind: 'manifest' });

  return references;
}

/**
 * Content negotiation (distribution spec v1.1 "Pulling manifests"). Clients list the types they
 * understand, in no reliable order (Docker's order changes between requests), so the stored type
 * is served when it appears anywhere in the list or a wildcard does; no Accept means anything.
 * A registry cannot convert between formats without changing the digest, so an unacceptable
 * type is answered MANIFEST_UNKNOWN with a message naming the stored type.
 */
function assertAcceptable(record: ManifestRecord, accept: string[]): void {
  const listed = accept.flatMap((v) => v.split(',')).filter((v) => v.trim() !== '');
  if (listed.length === 0) return;
  // RFC 9110 §12.4.2: a type with q=0 is one the client refuses.
  const types = listed
    .filter((v) => !/;\s*q\s*=\s*0(?:\.0*)?\s*(?:;|$)/i.test(v))
    .map(normaliseContentType);
  if (types.some((t) => t === record.mediaType || t === '*/*' || t === 'application/*')) return;

  throw new RegistryError(
    'MANIFEST_UNKNOWN',
    `manifest is ${record.mediaType}, which the Accept header does not list`,
    { status: 404, detail: { mediaType: record.mediaType } },
  );
}

function unknownManifest(repository: string, reference: string): RegistryError {
  return new RegistryError(
    'MANIFEST_UNKNOWN',
    `manifest ${reference} is unknown to ${repository}`,
    {
      detail: { name: repository, reference },
    },
  );
}
