import type SQLite from 'better-sqlite3';
import {
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
} from 'kysely';

/** Kysely's SQLite dialect as Berth's databases (metadata, advisories) use it. */
export function sqliteDialect(database: SQLite.Database): SqliteDialect {
  return new TolerantSqliteDialect(withStatementCache(database));
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
class TolerantSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase) {
    super({ database });
  }

  override createDriver(): Driver {
    return new TolerantRollbackDriver({ database: this.database });
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
