import SQLite from 'better-sqlite3';
import { Kysely, Migrator, type Selectable, type Transaction } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sqliteDialect } from '../../metadata/index.js';
import { advisoryMigrations } from './migrations.js';
import {
  ADVISORY_STATUSES,
  type Advisory,
  type AdvisoryFormat,
  type AdvisoryStatus,
  type SeverityLevel,
  type SeverityRating,
  type VersionRange,
} from './model.js';
import { packageKey } from './names.js';
import type {
  AdvisoryDatabase,
  AdvisoryTable,
  AffectedPackageTable,
  SourceTable,
} from './schema.js';
import { SourceWriter } from './writer.js';

/** What an import is about to store, and under which name. */
export interface NewSource {
  name: string;
  format: AdvisoryFormat;
  path: string;
  /** When the data is from, for formats whose records carry no dates. */
  fallbackDataAt?: () => number | undefined;
}

export interface SourceSummary {
  name: string;
  format: AdvisoryFormat;
  path: string;
  importedAt: number;
  /** The newest record's modified time, or the files' modification time; see SourceTable. */
  dataAt?: number;
  advisories: number;
  packages: number;
  withdrawn: number;
  statuses: Record<AdvisoryStatus, number>;
}

export interface ImportedSource extends SourceSummary {
  /** What the previous import under the same name had, now replaced. */
  replaced?: { advisories: number; packages: number };
}

/** One advisory as it applies to one package: what a matcher works from. */
export interface PackageAdvisory {
  source: string;
  id: string;
  aliases: string[];
  summary?: string;
  ecosystem: string;
  release: string;
  package: string;
  purl?: string;
  status: AdvisoryStatus;
  ranges: VersionRange[];
  versions: string[];
  /** The first known level among the ratings, and whose it is. */
  severity: SeverityLevel;
  severitySource?: string;
  severities: SeverityRating[];
  note?: string;
}

/** Opens (creating if needed) the advisory database and brings its schema up to date. */
export async function openAdvisoryStore(file: string): Promise<AdvisoryStore> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const database = new SQLite(file);
  // WAL lets a scan read the previous data while an import writes the next.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');

  const db = new Kysely<AdvisoryDatabase>({ dialect: sqliteDialect(database) });
  const { error } = await new Migrator({ db, provider: advisoryMigrations }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw error;
  }

  return new AdvisoryStore(db);
}

/** The advisory database: whole-source imports and the lookups a matcher needs. */
export class AdvisoryStore {
  constructor(private readonly db: Kysely<AdvisoryDatabase>) {}

  async close(): Promise<void> {
    await this.db.destroy();
  }

  /**
   * Replaces everything stored under the source's name with the given advisories, in one
   * transaction: if reading or parsing fails part-way, the previous import stays as it was.
   */
  async replaceSource(
    source: NewSource,
    advisories: AsyncIterable<Advisory>,
    now = Date.now(),
  ): Promise<ImportedSource> {
    return this.db.transaction().execute(async (trx) => {
      const previous = await this.removeSource(trx, source.name);

      const writer = new SourceWriter(trx, source.name);
      for await (const advisory of advisories) await writer.write(advisory);
      await writer.flush();

      const row = await sourceRow(trx, source, writer, now);
      await trx.insertInto('sources').values(row).execute();

      return { ...sourceSummary(row), replaced: previous };
    });
  }

  /** Advisories for an OS package, by its distribution, release and source package. */
  async forDistributionPackage(
    distro: string,
    release: string,
    sourcePackage: string,
  ): Promise<PackageAdvisory[]> {
    const rows = await this.packageQuery()
      .where('p.ecosystem', '=', distro)
      .where('p.release', '=', release)
      .where('p.package_key', '=', packageKey(distro, sourcePackage))
      .execute();

    return rows.map(packageAdvisory);
  }

  /**
   * Advisories for a language package, by OSV ecosystem and name. Go advisories sometimes
   * name a package inside a module (golang.org/x/text/language for golang.org/x/text), so a
   * Go module also finds the records filed under paths below it, except major-version
   * modules (`…/v2`). Other nested modules cannot be told from packages by their path; the
   * `package` of each result says what the record named.
   */
  async forEcosystemPackage(ecosystem: string, name: string): Promise<PackageAdvisory[]> {
    const key = packageKey(ecosystem, name);
    let query = this.packageQuery()
      .where('p.ecosystem', '=', ecosystem)
      .where('p.release', '=', '');
    query =
      ecosystem === 'Go'
        ? query.where((eb) =>
            eb.or([
              eb('p.package_key', '=', key),
              eb.and([eb('p.package_key', '>', `${key}/`), eb('p.package_key', '<', `${key}0`)]),
            ]),
          )
        : query.where('p.package_key', '=', key);
    const rows = await query.execute();

    return rows
      .filter((r) => !/^v\d+(\/|$)/.test(r.package_key.slice(key.length + 1)))
      .map(packageAdvisory);
  }

  /**
   * Whether any advisory names the ecosystem and release at all. A distribution release with
   * none was never imported, which a scan must say rather than report the image clean.
   */
  async covers(ecosystem: string, release: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('affected_packages')
      .select('id')
      .where('ecosystem', '=', ecosystem)
      .where('release', '=', release)
      .limit(1)
      .executeTakeFirst();

    return row !== undefined;
  }

  async sources(): Promise<SourceSummary[]> {
    const rows = await this.db.selectFrom('sources').selectAll().orderBy('name').execute();

    return rows.map(sourceSummary);
  }

  private packageQuery() {
    return this.db
      .selectFrom('affected_packages as p')
      .innerJoin('advisories as a', (join) =>
        join.onRef('a.source', '=', 'p.source').onRef('a.id', '=', 'p.advisory_id'),
      )
      .select([
        'p.source',
        'p.advisory_id',
        'a.aliases',
        'a.summary',
        'p.ecosystem',
        'p.release',
        'p.package',
        'p.package_key',
        'p.purl',
        'p.status',
        'p.ranges',
        'p.versions',
        'p.severity',
        'p.severity_source',
        'p.severities',
        'p.note',
      ])
      .orderBy('p.advisory_id')
      .orderBy('p.source')
      .orderBy('p.id');
  }

  private async removeSource(
    trx: Transaction<AdvisoryDatabase>,
    name: string,
  ): Promise<ImportedSource['replaced']> {
    const previous = await trx
      .selectFrom('sources')
      .select(['advisory_count', 'package_count'])
      .where('name', '=', name)
      .executeTakeFirst();

    await trx.deleteFrom('affected_packages').where('source', '=', name).execute();
    await trx.deleteFrom('advisories').where('source', '=', name).execute();
    await trx.deleteFrom('sources').where('name', '=', name).execute();

    return previous
      ? { advisories: previous.advisory_count, packages: previous.package_count }
      : undefined;
  }
}

async function sourceRow(
  trx: Transaction<AdvisoryDatabase>,
  source: NewSource,
  writer: SourceWriter,
  now: number,
): Promise<Selectable<SourceTable>> {
  const advisories = await trx
    .selectFrom('advisories')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('source', '=', source.name)
    .executeTakeFirstOrThrow();
  const statuses = await trx
    .selectFrom('affected_packages')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('source', '=', source.name)
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(statuses.map((s) => [s.status, Number(s.count)]));

  return {
    name: source.name,
    format: source.format,
    path: source.path,
    imported_at: now,
    data_at: writer.newest ?? source.fallbackDataAt?.() ?? null,
    advisory_count: Number(advisories.count),
    package_count: statuses.reduce((sum, s) => sum + Number(s.count), 0),
    withdrawn_count: writer.withdrawn,
    status_counts: JSON.stringify(counts),
  };
}

function sourceSummary(row: Selectable<SourceTable>): SourceSummary {
  const counts = JSON.parse(row.status_counts) as Partial<Record<AdvisoryStatus, number>>;

  return {
    name: row.name,
    format: row.format as AdvisoryFormat,
    path: row.path,
    importedAt: Number(row.imported_at),
    dataAt: row.data_at === null ? undefined : Number(row.data_at),
    advisories: row.advisory_count,
    packages: row.package_count,
    withdrawn: row.withdrawn_count,
    statuses: Object.fromEntries(ADVISORY_STATUSES.map((s) => [s, counts[s] ?? 0])) as Record<
      AdvisoryStatus,
      number
    >,
  };
}

type PackageRow = Omit<Selectable<AffectedPackageTable>, 'id'> &
  Pick<Selectable<AdvisoryTable>, 'aliases' | 'summary'>;

function packageAdvisory(row: PackageRow): PackageAdvisory {
  return {
    source: row.source,
    id: row.advisory_id,
    aliases: JSON.parse(row.aliases) as string[],
    summary: row.summary ?? undefined,
    ecosystem: row.ecosystem,
    release: row.release,
    package: row.package,
    purl: row.purl ?? undefined,
    status: row.status as AdvisoryStatus,
    ranges: JSON.parse(row.ranges) as VersionRange[],
    versions: JSON.parse(row.versions) as string[],
    severity: row.severity as SeverityLevel,
    severitySource: row.severity_source ?? undefined,
    severities: JSON.parse(row.severities) as SeverityRating[],
    note: row.note ?? undefined,
  };
}
