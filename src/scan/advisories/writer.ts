import type { Insertable, Transaction } from 'kysely';
import type { Advisory, AffectedPackage } from './model.js';
import { packageKey } from './names.js';
import type { AdvisoryDatabase, AdvisoryTable, AffectedPackageTable } from './schema.js';
import { chooseSeverity } from './severity.js';

/** Rows per INSERT: well under SQLite's 32,766 bound parameters at 15 columns a row. */
const batchSize = 500;

/**
 * Writes one source's advisories inside the import's transaction, in batches. The same id may
 * arrive more than once: an OSV record replaces an older copy of itself (by `modified`) and is
 * ignored if it is not newer; records without dates (Debian, Alpine) add their packages to
 * the advisory already written, which is how an issue filed under several source packages
 * comes together.
 */
export class SourceWriter {
  /** Withdrawn OSV records, which are counted and not stored. */
  withdrawn = 0;
  /** The newest modified (or published) time among the records written. */
  newest: number | undefined;

  private readonly seen = new Map<string, number | undefined>();
  private advisoryRows: Insertable<AdvisoryTable>[] = [];
  private packageRows: Insertable<AffectedPackageTable>[] = [];

  constructor(
    private readonly trx: Transaction<AdvisoryDatabase>,
    private readonly source: string,
  ) {}

  async write(advisory: Advisory): Promise<void> {
    if (!this.seen.has(advisory.id)) return this.writeFirst(advisory);

    const previous = this.seen.get(advisory.id);
    if (advisory.modified === undefined && previous === undefined) {
      this.queuePackages(advisory.id, advisory.affected);
      return this.flushWhenFull();
    }
    if ((advisory.modified ?? 0) <= (previous ?? 0)) return;

    await this.flush();
    await this.remove(advisory.id);
    await this.writeFirst(advisory);
  }

  async flush(): Promise<void> {
    const advisories = this.advisoryRows;
    const packages = this.packageRows;
    this.advisoryRows = [];
    this.packageRows = [];

    for (let i = 0; i < advisories.length; i += batchSize) {
      await this.trx
        .insertInto('advisories')
        .values(advisories.slice(i, i + batchSize))
        .execute();
    }
    for (let i = 0; i < packages.length; i += batchSize) {
      await this.trx
        .insertInto('affected_packages')
        .values(packages.slice(i, i + batchSize))
        .execute();
    }
  }

  private async writeFirst(advisory: Advisory): Promise<void> {
    this.seen.set(advisory.id, advisory.modified);
    if (advisory.withdrawn !== undefined) {
      this.withdrawn++;
      return;
    }

    this.advisoryRows.push({
      source: this.source,
      id: advisory.id,
      aliases: JSON.stringify(advisory.aliases),
      summary: advisory.summary ?? null,
      details: advisory.details ?? null,
      published_at: advisory.published ?? null,
      modified_at: advisory.modified ?? null,
    });
    this.queuePackages(advisory.id, advisory.affected);
    const time = advisory.modified ?? advisory.published;
    if (time !== undefined) this.newest = Math.max(this.newest ?? time, time);

    await this.flushWhenFull();
  }

  private queuePackages(id: string, affected: AffectedPackage[]): void {
    for (const p of affected) {
      const chosen = chooseSeverity(p.severities);
      this.packageRows.push({
        source: this.source,
        advisory_id: id,
        ecosystem: p.ecosystem,
        release: p.release,
        package: p.name,
        package_key: packageKey(p.ecosystem, p.name),
        purl: p.purl ?? null,
        status: p.status,
        ranges: JSON.stringify(p.ranges),
        versions: JSON.stringify(p.versions),
        severity: chosen.level,
        severity_source: chosen.source ?? null,
        severities: JSON.stringify(p.severities),
        note: p.note ?? null,
      });
    }
  }

  private async flushWhenFull(): Promise<void> {
    if (this.advisoryRows.length >= batchSize || this.packageRows.length >= batchSize) {
      await this.flush();
    }
  }

  private async remove(id: string): Promise<void> {
    await this.trx
      .deleteFrom('affected_packages')
      .where('source', '=', this.source)
      .where('advisory_id', '=', id)
      .execute();
    await this.trx
      .deleteFrom('advisories')
      .where('source', '=', this.source)
      .where('id', '=', id)
      .execute();
  }
}
