import SQLite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { MetadataStore } from './store.js';

export { MetadataStore } from './store.js';
export type { ManifestRecord, ManifestReference, UploadRecord, PullRecord, Page } from './store.js';
export type { ArtifactRecord, RepositoryOrder, RepositorySummary, TagRecord } from './store.js';
export type { Dialect } from './migrations.js';
export { sqliteDialect } from './sqlite-dialect.js';
export { AccountStore, inProject } from './accounts.js';
export { ScanStore } from './scans.js';
export type * from './scans.js';
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
      dialect: sqliteDialect(database),
    }),
    'sqlite',
  );
  await store.migrate();

  return store;
}
