import SQLite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
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
    new Kysely<Database>({
      dialect: new BerthSqliteDialect({ database: withStatementCache(database) }),
    }),
    'sqlite',
  );
  await store.migrate();

  return store;
}

/** How many prepared statements are kept: the registry runs a few dozen distinct queries. */
const statementCacheSize = 512;

/**
 * Kysely prepares every query anew; preparing costs more than running the indexed lookups of a
 * manifest GET (a fifth of the request's CPU in bench/results/profiles). Statements are kept by
 * their SQL text instead. One still being iterated is busy, so that caller gets a fresh one.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();

  return {
    close: () => database.close(),
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached && !cached.busy) return cached;

      const statement = database.prepare(sql);
      if (cached) return statement;
      if (statements.size >= statementCacheSize) statements.clear();
      statements.set(sql, statement);
      return statement;
    },
  };
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
