import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Schema migrations, in order. Each is written once for both dialects; the only difference is
 * how an auto-incrementing key is declared.
 */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_registry_core': { up: (db) => registryCore(db, dialect) },
  };

  return { getMigrations: async () => migrations };
}

async function registryCore(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('repositories')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('repository_blobs')
    .addColumn('repository_id', 'bigint', (c) =>
      c.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('digest', 'text', (c) => c.notNull().references('blobs.digest'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_pulled_at', 'bigint')
    .addPrimaryKeyConstraint('repository_blobs_pk', ['repository_id', 'digest'])
    .execute();
  await db.schema
    .createIndex('repository_blobs_digest')
    .on('repository_blobs')
    .column('digest')
    .execute();

  await db.schema
    .createTable('manifests')
    .addColumn('repository_id', 'bigint', (c) =>
      c.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('artifact_type', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('subject_digest', 'text')
    .addColumn('config_digest', 'text')
    .addColumn('annotations', 'text')
    .addColumn('pushed_at', 'bigint', (c) => c.notNull())
    .addColumn('last_pulled_at', 'bigint')
    .addPrimaryKeyConstraint('manifests_pk', ['repository_id', 'digest'])
    .execute();
  await db.schema
    .createIndex('manifests_subject')
    .on('manifests')
    .columns(['repository_id', 'subject_digest'])
    .execute();
  await db.schema.createIndex('manifests_digest').on('manifests').column('digest').execute();

  await db.schema
    .createTable('manifest_references')
    .addColumn('repository_id', 'bigint', (c) => c.notNull())
    .addColumn('manifest_digest', 'text', (c) => c.notNull())
    .addColumn('child_digest', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('manifest_references_pk', [
      'repository_id',
      'manifest_digest',
      'child_digest',
      'kind',
    ])
    .addForeignKeyConstraint(
      'manifest_references_manifest',
      ['repository_id', 'manifest_digest'],
      'manifests',
      ['repository_id', 'digest'],
      (c) => c.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('manifest_references_child')
    .on('manifest_references')
    .columns(['repository_id', 'child_digest'])
    .execute();

  await db.schema
    .createTable('tags')
    .addColumn('repository_id', 'bigint', (c) =>
      c.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('manifest_digest', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_pulled_at', 'bigint')
    .addPrimaryKeyConstraint('tags_pk', ['repository_id', 'name'])
    .addForeignKeyConstraint(
      'tags_manifest',
      ['repository_id', 'manifest_digest'],
      'manifests',
      ['repository_id', 'digest'],
      (c) => c.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('tags_manifest')
    .on('tags')
    .columns(['repository_id', 'manifest_digest'])
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('repository_id', 'bigint', (c) =>
      c.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uploads_updated').on('uploads').column('updated_at').execute();

  // Tag and repository listings sort by byte order, which SQLite's default collation gives;
  // PostgreSQL needs the "C" collation for the same order.
  if (dialect === 'postgres') {
    await sql`ALTER TABLE tags ALTER COLUMN name TYPE text COLLATE "C"`.execute(db);
    await sql`ALTER TABLE repositories ALTER COLUMN name TYPE text COLLATE "C"`.execute(db);
  }
}
