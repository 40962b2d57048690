// Scanning as the registry offers it: scans queued on push and on request, their status and
// results for the API, and the system view of the queue and the advisory database. The work
// itself is the ScanWorker's; this class only reads and queues.

import type { Logger } from 'pino';
import type { ManifestRecord, ScanRecord, ScanStatus } from '../metadata/index.js';
import { isImageConfigMediaType, isIndexMediaType } from '../oci/index.js';
import type { Registry, StoredManifest } from '../registry/index.js';
import type { SourceSummary } from '../scan/advisories/index.js';
import type { ScanReport } from '../scan/scan.js';
import type { AdvisoryDatabase } from './advisory-database.js';
import {
  decodeDocument,
  emptySummary,
  joinReport,
  type ScanSummary,
  type StoredAnalysis,
  type StoredFindings,
} from './documents.js';
import { sbomDocument, type SbomFormat } from './sbom-referrers.js';
import type { ScanWorker } from './worker.js';

/** The advisory version /scanning shows while the database cannot be read. */
const UNREADABLE = 'unreadable';

/** What an artifact's scan state is, as the API shows it. */
export type ScanState = ScanStatus | 'not-scanned' | 'unsupported';

export interface ScanOverview {
  digest: string;
  status: ScanState;
  reason?: string;
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  /** The advisory database version the findings were matched against. */
  advisories?: string;
  summary?: ScanSummary;
  /** SBOM referrers the scan attached to the image in this repository. */
  sboms: string[];
  /** For an index: each child image's scan. */
  children?: ScanOverview[];
}

export interface ScanSystemStatus {
  enabled: true;
  onPush: boolean;
  queue: Record<ScanStatus, number>;
  /** `error` says why the database cannot be read; its version is then `unreadable`. */
  advisories: { version: string; sources: SourceSummary[]; error?: string };
}

export interface ScanServiceOptions {
  registry: Registry;
  advisories: AdvisoryDatabase;
  worker: ScanWorker;
  onPush: boolean;
  /** Berth's version, named in SBOMs. */
  version: string;
  logger: Logger;
}

export class ScanService {
  constructor(private readonly options: ScanServiceOptions) {}

  start(): void {
    const { advisories, onPush, logger } = this.options;
    logger.info({ advisoryDatabase: advisories.file, onPush }, 'scanning images');
    if (this.options.onPush) {
      this.options.registry.onManifestStored((manifest) => this.pushed(manifest));
    }
    this.options.worker.start();
  }

  async stop(): Promise<void> {
    await this.options.worker.stop();
    await this.options.advisories.close();
  }

  /** Waits until this node has nothing running (tests). */
  idle(): Promise<void> {
    return this.options.worker.idle();
  }

  /**
   * Queues a scan of an image, or of every image of an index. Other artifacts (signatures,
   * SBOMs, charts) have nothing to scan: false.
   */
  async request(repositoryId: number, record: ManifestRecord, reason: string): Promise<boolean> {
    const images = await this.imagesOf(repositoryId, record);
    if (images.length === 0) return false;

    for (const digest of images)
      await this.options.registry.meta.scans.enqueue(repositoryId, digest, reason);
    this.options.worker.kick();
    return true;
  }

  async overview(repositoryId: number, record: ManifestRecord): Promise<ScanOverview> {
    const { scans } = this.options.registry.meta;
    if (isIndexMediaType(record.mediaType)) {
      const children = await this.imagesOf(repositoryId, record);
      const found = await scans.getMany(repositoryId, children);
      return combine(
        record.digest,
        children.map((digest) => overviewOf(digest, found.get(digest))),
      );
    }
    if (!isScannable(record.artifactType))
      return { digest: record.digest, status: 'unsupported', sboms: [] };

    return overviewOf(record.digest, await scans.get(repositoryId, record.digest));
  }

  /** Status and counts of many artifacts at once, for listings. */
  async overviews(
    repositoryId: number,
    records: ManifestRecord[],
  ): Promise<Map<string, ScanOverview>> {
    const { scans } = this.options.registry.meta;
    const found = await scans.getMany(
      repositoryId,
      records.map((record) => record.digest),
    );
    const result = new Map<string, ScanOverview>();
    for (const record of records) {
      const overview = isIndexMediaType(record.mediaType)
        ? await this.overview(repositoryId, record)
        : isScannable(record.artifactType)
          ? overviewOf(record.digest, found.get(record.digest))
          : { digest: record.digest, status: 'unsupported' as const, sboms: [] };
      result.set(record.digest, overview);
    }

    return result;
  }

  /** The image's last complete report, when it has been scanned here. */
  async report(repositoryId: number, digest: string): Promise<ScanReport | undefined> {
    const { scans } = this.options.registry.meta;
    const scan = await scans.get(repositoryId, digest);
    if (!scan || scan.finishedAt === null || scan.advisories === null) return undefined;

    const analysis = await scans.getAnalysis(digest);
    const findings = await scans.getFindings(digest);
    if (!analysis || !findings) return undefined;

    return joinReport(
      await decodeDocument<StoredAnalysis>(analysis.content),
      await decodeDocument<StoredFindings>(findings.content),
    );
  }

  /** An SBOM of the image, written from its stored analysis. */
  async sbom(
    repositoryId: number,
    digest: string,
    format: SbomFormat,
  ): Promise<string | undefined> {
    const { scans } = this.options.registry.meta;
    const scan = await scans.get(repositoryId, digest);
    const analysis = scan?.finishedAt ? await scans.getAnalysis(digest) : undefined;
    if (!analysis) return undefined;

    return sbomDocument(
      await decodeDocument<StoredAnalysis>(analysis.content),
      format,
      this.options.version,
    );
  }

  async history(digest: string, since: number, limit: number) {
    return this.options.registry.meta.scans.history(digest, since, limit);
  }

  async systemStatus(): Promise<ScanSystemStatus> {
    const { registry, onPush } = this.options;

    return {
      enabled: true,
      onPush,
      queue: await registry.meta.scans.countByStatus(),
      advisories: await this.advisoryStatus(),
    };
  }

  /**
   * The database's sources, or why it cannot be read (a file copied over while open, or not a
   * database): the status page is where an operator looks for that, so it must not fail too.
   */
  private async advisoryStatus(): Promise<ScanSystemStatus['advisories']> {
    const { advisories, logger } = this.options;
    try {
      const sources = await advisories.sources();
      return { version: await advisories.version(), sources };
    } catch (err) {
      logger.warn({ err, file: advisories.file }, 'the advisory database cannot be read');
      const reason = err instanceof Error ? err.message : String(err);
      return { version: UNREADABLE, sources: [], error: `cannot be read: ${reason}` };
    }
  }

  /** Queues every finished scan again (after an upgrade, or to be sure). */
  async rescanAll(): Promise<number> {
    const { scans } = this.options.registry.meta;
    await scans.prune();
    const queued = await scans.requeueFinished('request', { failedToo: true });
    this.options.worker.kick();
    return queued;
  }

  private pushed(manifest: StoredManifest): void {
    if (!isScannable(manifest.artifactType)) return;

    const { scans } = this.options.registry.meta;
    void scans
      .enqueue(manifest.repositoryId, manifest.digest, 'push')
      .then(() => this.options.worker.kick())
      .catch((err: unknown) =>
        this.options.logger.error(
          { err, repository: manifest.repository },
          'failed to queue a scan',
        ),
      );
  }

  /** The image itself, or the images an index lists that the repository holds. */
  private async imagesOf(repositoryId: number, record: ManifestRecord): Promise<string[]> {
    if (!isIndexMediaType(record.mediaType))
      return isScannable(record.artifactType) ? [record.digest] : [];

    const { meta } = this.options.registry;
    const children = (await meta.listReferences(repositoryId, record.digest)).filter(
      (reference) => reference.kind === 'manifest',
    );
    const images: string[] = [];
    for (const child of children) {
      const manifest = await meta.getManifest(repositoryId, child.digest);
      if (manifest && isScannable(manifest.artifactType)) images.push(child.digest);
    }

    return images;
  }
}

/**
 * Image manifests are scanned; their artifactType is the config's media type when the manifest
 * names none (image-spec manifest.md), so other artifacts are told apart by it.
 */
function isScannable(artifactType: string | null | undefined): boolean {
  return isImageConfigMediaType(artifactType);
}

function overviewOf(digest: string, scan: ScanRecord | undefined): ScanOverview {
  if (!scan) return { digest, status: 'not-scanned', sboms: [] };

  return {
    digest,
    status: scan.status,
    reason: scan.reason,
    queuedAt: scan.queuedAt,
    ...(scan.startedAt !== null && { startedAt: scan.startedAt }),
    ...(scan.finishedAt !== null && { finishedAt: scan.finishedAt }),
    ...(scan.error !== null && { error: scan.error }),
    ...(scan.advisories !== null && { advisories: scan.advisories }),
    ...(scan.summary !== null && { summary: scan.summary as ScanSummary }),
    sboms: scan.sboms,
  };
}

/** An index's scan: its children's, with counts added up and the least advanced status. */
function combine(digest: string, children: ScanOverview[]): ScanOverview {
  if (children.length === 0) return { digest, status: 'unsupported', sboms: [], children };

  const order: ScanState[] = ['running', 'queued', 'failed', 'not-scanned', 'done'];
  const status = order.find((state) => children.some((child) => child.status === state)) ?? 'done';
  const summary = emptySummary();
  for (const child of children) {
    for (const [key, count] of Object.entries(child.summary ?? {})) {
      summary[key as keyof ScanSummary] += count;
    }
  }

  const finished = children.map((child) => child.finishedAt ?? 0);
  const finishedAt = Math.max(...finished);

  return {
    digest,
    status,
    ...(finished.every((at) => at > 0) && { finishedAt }),
    summary,
    sboms: [],
    children,
  };
}
