// rpm packages (RHEL and its rebuilds, Fedora, Amazon Linux, SUSE, Azure Linux, Photon): the
// rpm database in any of its three formats, told apart by magic bytes rather than by name.
// The databases need random access, so the layer reader's bytes are spooled to a temporary
// file (under a size cap) and read from there; the file is removed once read.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { UnreadableFileError, type FileAnalyser, type FileSink } from '../../analyser.js';
import type { FileFact, FoundPackage } from '../../types.js';
import { berkeleyValues, isBerkeleyHash } from './bdb.js';
import { packageOfHeader } from './header.js';
import { isNdb, ndbValues } from './ndb.js';
import { fileAccess } from './random-access.js';
import { isSqlite, sqliteValues } from './sqlite.js';

const DIRECTORIES = ['var/lib/rpm/', 'usr/lib/sysimage/rpm/', 'usr/share/rpm/'];
const DATABASES = new Set(
  DIRECTORIES.flatMap((dir) =>
    ['Packages', 'Packages.db', 'rpmdb.sqlite'].map((name) => dir + name),
  ),
);

export const rpmAnalysers: FileAnalyser[] = [
  {
    id: 'rpm-database',
    maxBytes: 1024 * 2 ** 20,
    matches: ({ path: file }) => DATABASES.has(file),
    open: () => new SpooledDatabase(),
  },
];

/** Writes the database to a private temporary directory, then reads packages from it. */
class SpooledDatabase implements FileSink {
  private dir: string | undefined;
  private out: WriteStream | undefined;

  async write(chunk: Buffer): Promise<void> {
    if (!this.out) {
      this.dir = await mkdtemp(path.join(tmpdir(), 'berth-rpmdb-'));
      this.out = createWriteStream(path.join(this.dir, 'db'));
    }
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async end(): Promise<FileFact | undefined> {
    try {
      if (!this.out || !this.dir) return undefined;
      this.out.end();
      await finished(this.out);

      return { kind: 'packages', packages: await readDatabase(path.join(this.dir, 'db')) };
    } finally {
      await this.discard();
    }
  }

  async discard(): Promise<void> {
    this.out?.destroy();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.out = undefined;
  }
}

export async function readDatabase(file: string): Promise<FoundPackage[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, 64));
    await handle.read(head, 0, head.length, 0);

    if (isSqlite(head)) return packagesOf(sqliteValues(file));
    if (isNdb(head)) return await collect(ndbValues(fileAccess(handle, size)));
    if (isBerkeleyHash(head)) return await collect(berkeleyValues(fileAccess(handle, size)));
    throw new UnreadableFileError('not a Berkeley DB, ndb or SQLite rpm database');
  } finally {
    await handle.close();
  }
}

async function collect(blobs: AsyncIterable<Buffer>): Promise<FoundPackage[]> {
  const packages: FoundPackage[] = [];
  for await (const blob of blobs) packages.push(...packageOf(blob));

  return packages;
}

function packagesOf(blobs: Iterable<Buffer>): FoundPackage[] {
  return [...blobs].flatMap(packageOf);
}

/**
 * Berkeley DB keeps a bookkeeping record beside the headers (key 0, the next header number):
 * blobs too short to be headers are not packages.
 */
function packageOf(blob: Buffer): FoundPackage[] {
  if (blob.length < 16) return [];

  const found = packageOfHeader(blob);

  return found ? [found] : [];
}
