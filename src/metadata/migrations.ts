import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Schema migrations, in order. Each is written once for both dialects; the only difference is
 * how an auto-incrementing key is declared.
 */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_registry_core': { up: (db) => registryCore(db, dialect) },
    '0002_accounts': { up: (db) => accounts(db, dialect) },
    '0003_identity_sources': { up: identitySources },
    '0004_released_blobs': { up: releasedBlobs },
    '0005_manifests_by_push_time': { up: manifestsByPushTime },
    '0006_robot_token_revocation': { up: robotTokenRevocation },
    '0007_image_scans': { up: (db) => imageScans(db, dialect) },
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

async function accounts(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serial = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );

  await serial('projects')
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('quota_bytes', 'bigint')
    .addColumn('quota_warning', 'real', (c) => c.notNull().defaultTo(0.8))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await serial('users')
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text')
    .addColumn('display_name', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('tokens_valid_after', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .execute();

  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'bigint', (c) =>
      c.notNull().references('projects.id').onDelete('cascade'),
    )
    .addColumn('member_kind', 'text', (c) => c.notNull())
    .addColumn('member_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'member_kind', 'member_name'])
    .execute();
  await db.schema
    .createIndex('project_members_member')
    .on('project_members')
    .columns(['member_kind', 'member_name'])
    .execute();

  await serial('robots')
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('project_id', 'bigint', (c) => c.references('projects.id').onDelete('cascade'))
    .addColumn('description', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('grants', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('private_pem', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();

  await serial('audit_events')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('project', 'text')
    .addColumn('resource', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('remote_addr', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
  await db.schema
    .createIndex('audit_events_project')
    .on('audit_events')
    .columns(['project', 'at'])
    .execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failed_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();
}

/** What OIDC accounts need: the provider's id of the person, and a secret for registry clients. */
async function identitySources(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('external_id', 'text').execute();
  await db.schema.alterTable('users').addColumn('cli_secret_hash', 'text').execute();
}

/**
 * When the last manifest of a repository that referenced a blob is deleted, the blob stays
 * linked (the spec lets clients still fetch or delete it) but is marked released, so quotas
 * stop counting it at once instead of waiting for garbage collection.
 */
async function releasedBlobs(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('repository_blobs').addColumn('released_at', 'bigint').execute();
}

/** The portal lists a repository's artifacts newest first; without this, each listing sorts. */
async function manifestsByPushTime(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('manifests_pushed')
    .on('manifests')
    .columns(['repository_id', 'pushed_at'])
    .execute();
}

/** Robots, like users, refuse tokens issued before a secret rotation or a disable. */
async function robotTokenRevocation(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('robots')
    .addColumn('tokens_valid_after', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

/**
 * Scan jobs per repository and image; analyses, findings and their history per image digest;
 * what each layer holds, per layer digest and analyser version.
 */
async function imageScans(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema
    .createTable('image_scans')
    .addColumn('repository_id', 'bigint', (c) =>
      c.notNull().references('repositories.id').onDelete('cascade'),
    )
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('advisories', 'text')
    .addColumn('summary', 'text')
    .addColumn('sboms', 'text')
    .addPrimaryKeyConstraint('image_scans_pk', ['repository_id', 'digest'])
    .execute();
  await db.schema
    .createIndex('image_scans_queue')
    .on('image_scans')
    .columns(['status', 'queued_at'])
    .execute();
  await db.schema.createIndex('image_scans_digest').on('image_scans').column('digest').execute();

  await db.schema
    .createTable('image_analyses')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('analyser', 'text', (c) => c.notNull())
    .addColumn('analysed_at', 'bigint', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('image_findings')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('advisories', 'text', (c) => c.notNull())
    .addColumn('matched_at', 'bigint', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('layer_analyses')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'bigint', (c) => c.notNull())
    .addColumn('content', bytes, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('layer_analyses_digest')
    .on('layer_analyses')
    .column('digest')
    .execute();

  await db.schema
    .createTable('scan_history')
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_history_pk', ['digest', 'at'])
    .execute();
}
