import SQLite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type { Database } from './schema.js';
import { MetadataStore } from './store.js';

export { MetadataStore } from './store.js';
export type { ManifestRecord, ManifestReference, UploadRecord, PullRecord, Page } from './store.js';
export type { ArtifactRecord, RepositoryOrder, RepositorySummary, TagRecord } from './store.js';
export type { Dialect } from './migrations.js';
export { AccountStore, inProject } from './accounts.js';
export type * from './accounts.js';
export type { IdentitySource, MemberKind } from './schema.js';

export interface MetadataOptions {
  driver: 'sqlite';
  path: string;
}

/** Opens the configured metadata database and brings its schema up to date. */
export async function openMetadataStore(options: MetadataOptions): Promise<MetadataStore> {
  mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  const database = new SQLite(options.path);
  // WAL lets readers proceed during a write; synchronous=NORMAL is durable in WAL mode across
  // process crashes, which is the failure the registry must survive (sqlite.org/wal.html).
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');

  const store = new MetadataStore(
    new Kysely<Database>({ dialect: new BerthSqliteDialect({ database }) }),
    'sqlite',
  );
  await store.migrate();

  return store;
}

/**
 * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR); Kysely's
 * ROLLBACK then fails with "no transaction is active" and that error replaces the real one, so a
 * full disk would read as an internal error. The real error is kept instead.
 */
class BerthSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new TolerantRollbackDriver(this.settings);
  }
}

class TolerantRollbackDriver extends SqliteDriver {
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (err) {
      if (!/no transaction is active/.test((err as Error).message)) throw err;
    }
  }
}
