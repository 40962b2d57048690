import type { MetadataStore } from '../metadata/index.js';
import type { BlobStore } from '../storage/index.js';
import { BlobService } from './blobs.js';
import { ContentCache } from './cache.js';
import { ListingService } from './listings.js';
import { ManifestService, type ManifestListener } from './manifests.js';
import { PullRecorder } from './pulls.js';
import { noQuota, type QuotaGuard } from './quota.js';
import { UploadService } from './uploads.js';

export { uploadLocation, uploadRange } from './uploads.js';
export type { BlobContent } from './blobs.js';
export type { ManifestContent, ManifestListener, StoredManifest } from './manifests.js';
export type { ListPage, ReferrersIndex } from './listings.js';
export type { StartResult } from './uploads.js';
export type { QuotaGuard, QuotaHold } from './quota.js';

export interface RegistryOptions {
  uploadExpiryMs: number;
  uploadSweepIntervalMs: number;
  automaticMount: boolean;
  manifestMaxBytes: number;
  manifestCacheBytes: number;
  maxPageSize: number;
  pullFlushIntervalMs: number;
  /** Storage limits per project; none when absent. */
  quota?: QuotaGuard;
  onBackgroundError: (err: unknown, task: string) => void;
}

/** The registry's domain services, wired over one blob store and one metadata store. */
export class Registry {
  readonly blobs: BlobService;
  readonly uploads: UploadService;
  readonly manifests: ManifestService;
  readonly listings: ListingService;
  private readonly pulls: PullRecorder;
  private readonly manifestListeners: ManifestListener[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly meta: MetadataStore,
    readonly store: BlobStore,
    private readonly options: RegistryOptions,
  ) {
    this.pulls = new PullRecorder(meta, options.pullFlushIntervalMs, (err) =>
      options.onBackgroundError(err, 'record pulls'),
    );
    this.blobs = new BlobService(meta, store, this.pulls);
    this.uploads = new UploadService(meta, store, {
      expiryMs: options.uploadExpiryMs,
      automaticMount: options.automaticMount,
      quota: options.quota ?? noQuota,
    });
    this.manifests = new ManifestService(
      meta,
      store,
      new ContentCache(options.manifestCacheBytes),
      this.pulls,
      { maxBytes: options.manifestMaxBytes },
      options.quota ?? noQuota,
      (manifest) => this.manifestListeners.forEach((listener) => listener(manifest)),
    );
    this.listings = new ListingService(meta, { maxPageSize: options.maxPageSize });
  }

  /** Adds a listener told of every manifest stored from now on (scan on push). */
  onManifestStored(listener: ManifestListener): void {
    this.manifestListeners.push(listener);
  }

  /** Starts background work: pull-time batching and the expiry sweep of abandoned uploads. */
  start(): void {
    this.pulls.start();
    const sweep = () =>
      void this.uploads
        .sweep()
        .catch((err) => this.options.onBackgroundError(err, 'sweep uploads'));
    sweep();
    this.sweeper = setInterval(sweep, this.options.uploadSweepIntervalMs);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    await this.pulls.stop();
  }
}
