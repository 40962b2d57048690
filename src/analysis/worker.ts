// The scan queue's consumer on this node: claims queued jobs up to its share of workers and
// runs them, and on a timer keeps the queue honest: findings matched against an older advisory
// database and scans older than the rescan interval are queued again, jobs whose node died are
// recovered, and results of deleted images are pruned.

import type { Logger } from 'pino';
import type { MetadataStore, ScanJob } from '../metadata/index.js';
import type { AdvisoryDatabase } from './advisory-database.js';
import type { ScanRunner } from './runner.js';

export interface ScanWorkerOptions {
  meta: MetadataStore;
  runner: ScanRunner;
  advisories: AdvisoryDatabase;
  /** Jobs run at the same time on this node. */
  workers: number;
  /** 0: no scheduled rescans. */
  rescanIntervalMs: number;
  advisoryCheckIntervalMs: number;
  /** A job running longer is taken to have died with its node. */
  jobTimeoutMs: number;
  logger: Logger;
}

/** A job begun this many times without finishing is failed instead of tried again. */
const maxAttempts = 3;
const pruneEveryMs = 10 * 60_000;

export class ScanWorker {
  private running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private stopped = true;
  private filling = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: ScanWorkerOptions) {}

  start(): void {
    this.stopped = false;
    const tick = () => void this.housekeeping().finally(() => this.kick());
    this.timer = setInterval(tick, this.options.advisoryCheckIntervalMs);
    this.timer.unref();
    tick();
  }

  /**
   * Stops claiming, and interrupts the jobs in progress: they go back to the queue, for the
   * next start or another node, rather than holding the shutdown for the length of a scan.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.shutdown.abort();
    await Promise.allSettled([...this.running]);
  }

  /** Claims queued jobs until this node's workers are busy or the queue is empty. */
  kick(): void {
    if (this.stopped || this.filling) return;
    this.filling = true;

    void this.fill()
      .catch((err: unknown) => this.options.logger.error({ err }, 'failed to claim scan jobs'))
      .finally(() => (this.filling = false));
  }

  /** Settles when nothing is running or queued on this node's view (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.filling) {
      await Promise.allSettled([...this.running]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async fill(): Promise<void> {
    while (!this.stopped && this.running.size < this.options.workers) {
      const job = await this.options.meta.scans.claim();
      if (!job) return;

      // Recording the outcome can fail too (a full disk, a lost database): that must cost the
      // job, never the process, so nothing here may reject unhandled.
      const run = this.run(job)
        .catch((err: unknown) => {
          const where = { repository: job.repository, digest: job.digest };
          this.options.logger.error({ err, ...where }, 'failed to record a scan');
        })
        .finally(() => {
          this.running.delete(run);
          this.kick();
        });
      this.running.add(run);
    }
  }

  private async run(job: ScanJob): Promise<void> {
    const { meta, runner, logger } = this.options;
    const where = { repository: job.repository, digest: job.digest, reason: job.reason };
    const started = Date.now();
    logger.debug(where, 'scan started');

    const signal = this.shutdown.signal;
    const outcome = await runner.run(job, signal).catch((err: unknown) => {
      if (signal.aborted) return undefined;
      logger.error({ err, ...where }, 'scan failed');
      return { status: 'failed' as const, error: 'the scan failed; the server log has details' };
    });
    if (!outcome) {
      await meta.scans.release(job.repositoryId, job.digest);
      return;
    }
    if (outcome === 'gone') {
      await meta.scans.forget(job.repositoryId, job.digest);
      logger.debug(where, 'scan dropped: the image left the repository');
      return;
    }
    await meta.scans.finish(job.repositoryId, job.digest, outcome);

    const fields = { ...where, status: outcome.status, ms: Date.now() - started };
    if (outcome.status === 'failed') logger.info({ ...fields, error: outcome.error }, 'scan ended');
    else logger.info({ ...fields, findings: outcome.summary?.total }, 'scan ended');
  }

  private async housekeeping(): Promise<void> {
    const { meta, advisories, logger } = this.options;
    const now = Date.now();

    try {
      const requeued = await meta.scans.requeueOutdated(await advisories.version(), now);
      if (requeued > 0) logger.info({ scans: requeued }, 'advisories changed: matching again');

      if (this.options.rescanIntervalMs > 0) {
        const before = now - this.options.rescanIntervalMs;
        await meta.scans.requeueFinished('schedule', { before }, now);
      }

      const recovered = await meta.scans.recoverStale(now - this.options.jobTimeoutMs, maxAttempts);
      if (recovered > 0) logger.warn({ scans: recovered }, 'scans whose node stopped queued again');

      if (now - this.lastPrune >= pruneEveryMs) {
        this.lastPrune = now;
        await meta.scans.prune();
      }
    } catch (err) {
      logger.error({ err }, 'failed to maintain the scan queue');
    }
  }
}
