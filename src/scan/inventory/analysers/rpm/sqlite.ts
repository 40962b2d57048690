// rpm's SQLite database, rpmdb.sqlite (rpm ≥ 4.16: Fedora 33+, RHEL 9, Amazon Linux 2023):
// table Packages(hnum, blob), one header blob per row. The file read here is the inventory's
// own spooled copy, so opening it read-write is harmless, and it spares SQLite from needing a
// -shm file beside a database whose header says WAL.

import Database from 'better-sqlite3';
import { UnreadableFileError } from '../../analyser.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');

export function isSqlite(head: Buffer): boolean {
  return head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

export function* sqliteValues(path: string): Generator<Buffer> {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (error) {
    throw new UnreadableFileError(`not a readable SQLite file: ${(error as Error).message}`);
  }

  try {
    const rows = db.prepare('SELECT blob FROM Packages').raw().iterate() as Iterable<[unknown]>;
    for (const [blob] of rows) {
      if (Buffer.isBuffer(blob)) yield blob;
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`rpm SQLite database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}
