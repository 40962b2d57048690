// Runs one scan job: the analysis of the image (read from its layers once per analyser
// version), the match against the current advisory database (once per database version),
// the SBOM referrers (once per repository), and the event when the scan finds critical or
// high vulnerabilities the repository had not been told of.

import type { Logger } from 'pino';
import type { ScanJob, ScanOutcome } from '../metadata/index.js';
import type { Registry } from '../registry/index.js';
import { ImageSourceError, hostPlatform } from '../scan/image/index.js';
import type { LayerCache } from '../scan/inventory/index.js';
import { matchInventory, type Finding } from '../scan/match/index.js';
import { analysisVersion, scanImage } from '../scan/scan.js';
import { NO_ADVISORIES, type AdvisoryDatabase } from './advisory-database.js';
import {
  analysisOf,
  decodeDocument,
  encodeDocument,
  summarise,
  type StoredAnalysis,
  type StoredFindings,
} from './documents.js';
import {
  attachSboms,
  GENERATOR_ANNOTATION,
  SBOM_FORMATS,
  type SbomFormat,
} from './sbom-referrers.js';
import { StoredImageSource } from './stored-image.js';

/** Critical or high findings a repository learns of for the first time. */
export interface VulnerabilitiesFound {
  repository: string;
  digest: string;
  critical: number;
  high: number;
  /** Ids of the new findings, most severe first, at most 20. */
  newIds: string[];
}

export interface ScanRunnerOptions {
  registry: Registry;
  advisories: AdvisoryDatabase;
  cache: LayerCache;
  /** Berth's version, named in SBOMs. */
  version: string;
  attachSboms: boolean;
  onVulnerabilitiesFound(event: VulnerabilitiesFound): void;
  logger: Logger;
}

const ALARMING = new Set(['critical', 'high']);
const maxEventIds = 20;

export class ScanRunner {
  constructor(private readonly options: ScanRunnerOptions) {}

  /**
   * The job's outcome, or 'gone' when the image left the repository before or while it was
   * scanned (nothing to report on); throws when `signal` aborts it.
   */
  async run(job: ScanJob, signal?: AbortSignal): Promise<ScanOutcome | 'gone'> {
    const { meta } = this.options.registry;
    const manifest = await meta.getManifest(job.repositoryId, job.digest);
    if (!manifest) return 'gone';

    try {
      const analysis = await this.analysis(job, signal);
      signal?.throwIfAborted();
      const previous = await meta.scans.getFindings(job.digest);
      const { findings, version } = await this.findings(job.digest, analysis, previous);
      await this.announce(
        job,
        findings.findings,
        previous && job.summary !== null ? previous : undefined,
      );
      const sboms = await this.sboms(job, manifest, analysis);
      if (!(await this.stillHeld(job))) return 'gone';

      const problems = problemCount(analysis, findings);
      const summary = summarise(findings.findings, problems);
      return { status: 'done', advisories: version, summary, sboms };
    } catch (err) {
      if (!(err instanceof ImageSourceError)) throw err;
      return { status: 'failed', error: err.message };
    }
  }

  /** The stored analysis, or a new one when there is none or the analysers changed since. */
  private async analysis(job: ScanJob, signal?: AbortSignal): Promise<StoredAnalysis> {
    const { meta, store } = this.options.registry;
    const version = analysisVersion();
    const stored = await meta.scans.getAnalysis(job.digest);
    if (stored?.version === version) return decodeDocument<StoredAnalysis>(stored.content);

    const source = new StoredImageSource(store, job.repository, job.digest);
    const report = await scanImage(source, {
      platform: hostPlatform(),
      cache: this.options.cache,
      signal,
    });
    const analysis = analysisOf(report);
    await meta.scans.putAnalysis(job.digest, {
      version,
      at: Date.now(),
      content: await encodeDocument(analysis),
    });

    return analysis;
  }

  /** The findings for the current advisory database, matched again only when it changed. */
  private async findings(
    digest: string,
    analysis: StoredAnalysis,
    previous: { version: string; content: Buffer } | undefined,
  ): Promise<{ findings: StoredFindings; version: string }> {
    const { advisories, registry } = this.options;
    const version = await advisories.version();
    if (previous?.version === version) {
      return { findings: await decodeDocument<StoredFindings>(previous.content), version };
    }

    const findings: StoredFindings =
      version === NO_ADVISORIES
        ? { matched: false, findings: [], problems: [] }
        : await matchInventory(analysis.inventory, await advisories.lookup()).then((result) => ({
            matched: true,
            findings: result.findings,
            problems: result.problems,
          }));
    const document = { version, at: Date.now(), content: await encodeDocument(findings) };
    await registry.meta.scans.putFindings(digest, document, summarise(findings.findings));

    return { findings, version };
  }

  /**
   * Tells of critical and high findings new to the repository: all of them on its first scan
   * of the image, those the previous match did not have afterwards.
   */
  private async announce(
    job: ScanJob,
    findings: readonly Finding[],
    previous: { content: Buffer } | undefined,
  ): Promise<void> {
    const before = previous ? await decodeDocument<StoredFindings>(previous.content) : undefined;
    const known = new Set(before?.findings.map(findingKey) ?? []);
    const fresh = findings.filter((f) => ALARMING.has(f.severity) && !known.has(findingKey(f)));
    if (fresh.length === 0) return;

    this.options.onVulnerabilitiesFound({
      repository: job.repository,
      digest: job.digest,
      critical: fresh.filter((f) => f.severity === 'critical').length,
      high: fresh.filter((f) => f.severity === 'high').length,
      newIds: [...new Set(fresh.map((f) => f.id))].slice(0, maxEventIds),
    });
  }

  /**
   * SBOM referrers: each format Berth has not attached to the image in this repository yet
   * (none after the first scan, the one someone deleted after that).
   */
  private async sboms(
    job: ScanJob,
    manifest: { digest: string; mediaType: string; size: number },
    analysis: StoredAnalysis,
  ): Promise<string[]> {
    const { registry, version, logger } = this.options;
    const ours = (await registry.meta.listReferrers(job.repositoryId, job.digest)).filter(
      (referrer) => referrer.annotations?.[GENERATOR_ANNOTATION] !== undefined,
    );
    const present = ours.map((referrer) => referrer.digest);
    const missing = (Object.keys(SBOM_FORMATS) as SbomFormat[]).filter(
      (format) => !ours.some((r) => r.artifactType === SBOM_FORMATS[format].mediaType),
    );
    if (!this.options.attachSboms || missing.length === 0) return present;
    if (!(await this.stillHeld(job))) return present;

    const subject = { repository: job.repository, ...manifest };
    let attached: string[];
    try {
      attached = await attachSboms(registry, subject, analysis, version, missing);
    } catch (err) {
      // A full quota must not fail the scan: the findings stand, the SBOMs stay downloadable
      // through the API, and the next scan tries again.
      const where = { repository: job.repository, digest: job.digest };
      logger.info({ ...where, error: (err as Error).message }, 'could not attach SBOMs');
      return present;
    }

    // The image, its repository or its project may have been deleted while it was scanned:
    // what was just pushed must not outlive it.
    if (await this.stillHeld(job)) return [...present, ...attached];
    for (const digest of attached) {
      await registry.manifests.delete(job.repository, digest).catch(() => undefined);
    }
    return present;
  }

  private async stillHeld(job: ScanJob): Promise<boolean> {
    const { meta } = this.options.registry;
    if ((await meta.findRepository(job.repository)) !== job.repositoryId) return false;

    return (await meta.getManifest(job.repositoryId, job.digest)) !== undefined;
  }
}

/** What the scan could not read or match: an image with problems is not shown as clean. */
function problemCount(analysis: StoredAnalysis, findings: StoredFindings): number {
  const config = (analysis as { configProblem?: unknown }).configProblem ? 1 : 0;

  return analysis.inventory.problems.length + findings.problems.length + config;
}

function findingKey(finding: Finding): string {
  return `${finding.id} ${finding.package.purl}`;
}
