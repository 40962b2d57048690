import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, ImageScanTable, ScanStatus } from './schema.js';

export type { ScanStatus } from './schema.js';

/** The scan of one image in one repository, as the job queue and the API see it. */
export interface ScanRecord {
  repositoryId: number;
  digest: string;
  status: ScanStatus;
  reason: string;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  attempts: number;
  error: string | null;
  advisories: string | null;
  summary: Record<string, number> | null;
  sboms: string[];
}

/** A claimed job: the scan plus the repository's name. */
export interface ScanJob extends ScanRecord {
  repository: string;
}

export interface ScanOutcome {
  status: 'done' | 'failed';
  error?: string;
  advisories?: string;
  summary?: Record<string, number>;
  sboms?: string[];
}

/** A stored, compressed document (analysis or findings) with what it was made with. */
export interface StoredDocument {
  /** Analyser version or advisory database version. */
  version: string;
  at: number;
  content: Buffer;
}

export interface HistoryPoint {
  at: number;
  summary: Record<string, number>;
}

/**
 * Scan jobs and results. Jobs live in `image_scans`, one row per repository and image, and move
 * queued → running → done | failed; every node claims queued rows with a conditional update,
 * so two nodes never run the same job. Analyses and findings are per digest.
 */
export class ScanStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Queues a scan, or queues it again. A running scan is left alone (false): it will store
   * what it finds, and a newer request adds nothing the running one lacks.
   */
  async enqueue(repositoryId: number, digest: string, reason: string, now = Date.now()) {
    const queued = { status: 'queued' as const, reason, queued_at: now, attempts: 0, error: null };
    const result = await this.db
      .insertInto('image_scans')
      .values({ repository_id: repositoryId, digest, ...queued })
      .onConflict((conflict) =>
        conflict
          .columns(['repository_id', 'digest'])
          .doUpdateSet(queued)
          .where('image_scans.status', '!=', 'running'),
      )
      .executeTakeFirst();

    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Takes the oldest queued job for this node, or nothing when the queue is empty. */
  async claim(now = Date.now()): Promise<ScanJob | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const next = await this.db
        .selectFrom('image_scans')
        .select(['repository_id', 'digest'])
        .where('status', '=', 'queued')
        .orderBy('queued_at')
        .limit(1)
        .executeTakeFirst();
      if (!next) return undefined;

      const taken = await this.db
        .updateTable('image_scans')
        .set((eb) => ({ status: 'running', started_at: now, attempts: eb('attempts', '+', 1) }))
        .where('repository_id', '=', next.repository_id)
        .where('digest', '=', next.digest)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return this.job(next.repository_id, next.digest);
    }

    return undefined;
  }

  async finish(repositoryId: number, digest: string, outcome: ScanOutcome, now = Date.now()) {
    await this.db
      .updateTable('image_scans')
      .set({
        status: outcome.status,
        finished_at: now,
        error: outcome.error ?? null,
        ...(outcome.advisories !== undefined && { advisories: outcome.advisories }),
        ...(outcome.summary && { summary: JSON.stringify(outcome.summary) }),
        ...(outcome.sboms && { sboms: JSON.stringify(outcome.sboms) }),
      })
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .where('status', '=', 'running')
      .execute();
  }

  /** Drops a scan whose image left the repository. */
  async forget(repositoryId: number, digest: string): Promise<void> {
    await this.db
      .deleteFrom('image_scans')
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .execute();
  }

  /** Gives a running job back to the queue, uncounted: its node is shutting down. */
  async release(repositoryId: number, digest: string): Promise<void> {
    await this.db
      .updateTable('image_scans')
      .set((eb) => ({ status: 'queued', started_at: null, attempts: eb('attempts', '-', 1) }))
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .where('status', '=', 'running')
      .execute();
  }

  /**
   * Jobs whose node stopped answering (crash, kill) while running: queued again, or failed once
   * they have been begun `maxAttempts` times, so that an image that kills the scanner cannot
   * keep every node busy.
   */
  async recoverStale(startedBefore: number, maxAttempts: number): Promise<number> {
    const stale = (status: ScanStatus, attempts: 'under' | 'reached') =>
      this.db
        .updateTable('image_scans')
        .set(
          status === 'queued'
            ? { status }
            : { status, finished_at: Date.now(), error: 'the scan stopped part way too often' },
        )
        .where('status', '=', 'running')
        .where('started_at', '<', startedBefore)
        .where('attempts', attempts === 'under' ? '<' : '>=', maxAttempts)
        .executeTakeFirst();

    const requeued = await stale('queued', 'under');
    await stale('failed', 'reached');
    return Number(requeued.numUpdatedRows);
  }

  /** Finished scans matched against another advisory database version are queued again. */
  async requeueOutdated(advisories: string, now = Date.now()): Promise<number> {
    const result = await this.db
      .updateTable('image_scans')
      .set({ status: 'queued', reason: 'advisories', queued_at: now, attempts: 0 })
      .where('status', '=', 'done')
      .where((eb) => eb.or([eb('advisories', 'is', null), eb('advisories', '!=', advisories)]))
      .executeTakeFirst();

    return Number(result.numUpdatedRows);
  }

  /**
   * Queues finished scans again: done ones older than `before` (the schedule), and with
   * `failedToo` failed ones as well (an administrator's rescan). The schedule leaves failed
   * scans alone: one that failed by crashing its node must not be tried again every day.
   */
  async requeueFinished(
    reason: string,
    options: { before?: number; failedToo?: boolean } = {},
    now = Date.now(),
  ): Promise<number> {
    const statuses: ScanStatus[] = options.failedToo ? ['done', 'failed'] : ['done'];
    const result = await this.db
      .updateTable('image_scans')
      .set({ status: 'queued', reason, queued_at: now, attempts: 0 })
      .where('status', 'in', statuses)
      .where('finished_at', '<', options.before ?? Number.MAX_SAFE_INTEGER)
      .executeTakeFirst();

    return Number(result.numUpdatedRows);
  }

  async get(repositoryId: number, digest: string): Promise<ScanRecord | undefined> {
    const row = await this.db
      .selectFrom('image_scans')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('digest', '=', digest)
      .executeTakeFirst();

    return row && scanRecord(row);
  }

  async getMany(repositoryId: number, digests: string[]): Promise<Map<string, ScanRecord>> {
    if (digests.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('image_scans')
      .selectAll()
      .where('repository_id', '=', repositoryId)
      .where('digest', 'in', digests)
      .execute();

    return new Map(rows.map((row) => [row.digest, scanRecord(row)]));
  }

  async countByStatus(): Promise<Record<ScanStatus, number>> {
    const rows = await this.db
      .selectFrom('image_scans')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    const counts: Record<ScanStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);

    return counts;
  }

  async getAnalysis(digest: string): Promise<StoredDocument | undefined> {
    const row = await this.db
      .selectFrom('image_analyses')
      .selectAll()
      .where('digest', '=', digest)
      .executeTakeFirst();

    return row && { version: row.analyser, at: row.analysed_at, content: row.content };
  }

  async putAnalysis(digest: string, document: StoredDocument): Promise<void> {
    const values = {
      analyser: document.version,
      analysed_at: document.at,
      content: document.content,
    };
    await this.db
      .insertInto('image_analyses')
      .values({ digest, ...values })
      .onConflict((conflict) => conflict.column('digest').doUpdateSet(values))
      .execute();
  }

  async getFindings(digest: string): Promise<StoredDocument | undefined> {
    const row = await this.db
      .selectFrom('image_findings')
      .selectAll()
      .where('digest', '=', digest)
      .executeTakeFirst();

    return row && { version: row.advisories, at: row.matched_at, content: row.content };
  }

  /** Stores a match and adds its counts to the image's history, in one transaction. */
  async putFindings(
    digest: string,
    document: StoredDocument,
    summary: Record<string, number>,
  ): Promise<void> {
    const values = {
      advisories: document.version,
      matched_at: document.at,
      content: document.content,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('image_findings')
        .values({ digest, ...values })
        .onConflict((conflict) => conflict.column('digest').doUpdateSet(values))
        .execute();
      await trx
        .insertInto('scan_history')
        .values({ digest, at: document.at, summary: JSON.stringify(summary) })
        .onConflict((conflict) => conflict.columns(['digest', 'at']).doNothing())
        .execute();
    });
  }

  async getLayer(key: string): Promise<Buffer | undefined> {
    const row = await this.db
      .selectFrom('layer_analyses')
      .select('content')
      .where('key', '=', key)
      .executeTakeFirst();

    return row?.content;
  }

  async putLayer(key: string, digest: string, content: Buffer, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('layer_analyses')
      .values({ key, digest, stored_at: now, content })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ stored_at: now, content }))
      .execute();
  }

  async history(digest: string, since: number, limit: number): Promise<HistoryPoint[]> {
    const rows = await this.db
      .selectFrom('scan_history')
      .select(['at', 'summary'])
      .where('digest', '=', digest)
      .where('at', '>=', since)
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();

    return rows.reverse().map((row) => ({ at: row.at, summary: parseCounts(row.summary) }));
  }

  /**
   * Forgets scans of manifests no longer in their repository, analyses, findings and history
   * of images no repository holds, and readings of layers no manifest names.
   */
  async prune(): Promise<number> {
    const scans = await this.db
      .deleteFrom('image_scans')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('manifests as m')
              .select(sql.lit(1).as('one'))
              .whereRef('m.repository_id', '=', 'image_scans.repository_id')
              .whereRef('m.digest', '=', 'image_scans.digest'),
          ),
        ),
      )
      .executeTakeFirst();

    for (const table of ['image_analyses', 'image_findings', 'scan_history'] as const) {
      await this.db
        .deleteFrom(table)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('manifests as m')
                .select(sql.lit(1).as('one'))
                .whereRef('m.digest', '=', `${table}.digest`),
            ),
          ),
        )
        .execute();
    }

    await this.db
      .deleteFrom('layer_analyses')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('manifest_references as r')
              .select(sql.lit(1).as('one'))
              .whereRef('r.child_digest', '=', 'layer_analyses.digest')
              .where('r.kind', '=', 'layer'),
          ),
        ),
      )
      .execute();

    return Number(scans.numDeletedRows);
  }

  private async job(repositoryId: number, digest: string): Promise<ScanJob | undefined> {
    const row = await this.db
      .selectFrom('image_scans as s')
      .innerJoin('repositories as r', 'r.id', 's.repository_id')
      .selectAll('s')
      .select('r.name')
      .where('s.repository_id', '=', repositoryId)
      .where('s.digest', '=', digest)
      .executeTakeFirst();

    return row && { ...scanRecord(row), repository: row.name };
  }
}

function scanRecord(row: Selectable<ImageScanTable>): ScanRecord {
  return {
    repositoryId: Number(row.repository_id),
    digest: row.digest,
    status: row.status,
    reason: row.reason,
    queuedAt: Number(row.queued_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    attempts: Number(row.attempts),
    error: row.error,
    advisories: row.advisories,
    summary: row.summary === null ? null : parseCounts(row.summary),
    sboms: row.sboms === null ? [] : (JSON.parse(row.sboms) as string[]),
  };
}

function parseCounts(text: string): Record<string, number> {
  return JSON.parse(text) as Record<string, number>;
}
