import type { Kysely, Migration, MigrationProvider } from 'kysely';

/** Schema migrations of the advisory database, in order. */
export const advisoryMigrations: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => ({
    '0001_advisories': { up: createTables },
  }),
};

async function createTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sources')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .addColumn('data_at', 'bigint')
    .addColumn('advisory_count', 'integer', (c) => c.notNull())
    .addColumn('package_count', 'integer', (c) => c.notNull())
    .addColumn('withdrawn_count', 'integer', (c) => c.notNull())
    .addColumn('status_counts', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('advisories')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('aliases', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('details', 'text')
    .addColumn('published_at', 'bigint')
    .addColumn('modified_at', 'bigint')
    .addPrimaryKeyConstraint('advisories_pk', ['source', 'id'])
    .execute();

  await db.schema
    .createTable('affected_packages')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text', (c) => c.notNull())
    .addColumn('release', 'text', (c) => c.notNull())
    .addColumn('package', 'text', (c) => c.notNull())
    .addColumn('package_key', 'text', (c) => c.notNull())
    .addColumn('purl', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ranges', 'text', (c) => c.notNull())
    .addColumn('versions', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('severity_source', 'text')
    .addColumn('severities', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();
  // Lookups go by package; replacing a source or an advisory deletes by source and id.
  await db.schema
    .createIndex('affected_packages_lookup')
    .on('affected_packages')
    .columns(['ecosystem', 'release', 'package_key'])
    .execute();
  await db.schema
    .createIndex('affected_packages_advisory')
    .on('affected_packages')
    .columns(['source', 'advisory_id'])
    .execute();
}
