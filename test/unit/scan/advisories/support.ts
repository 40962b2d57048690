import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { openAdvisoryStore, type AdvisoryStore } from '../../../../src/scan/advisories/index.js';

// Kept apart from test/support/server.ts, which brings in the whole server.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * Real OSV, Debian tracker and Alpine secdb files (test/fixtures/advisories: unmodified copies,
 * their origins and licences in SOURCES.md there), so that the scanner's tests need nothing
 * outside the repository.
 */
export const advisoryFixtures = path.join(repoRoot, 'test', 'fixtures', 'advisories');

export function fixture(...parts: string[]): string {
  if (!existsSync(advisoryFixtures))
    throw new Error(`advisory fixtures missing: ${advisoryFixtures}`);

  return path.join(advisoryFixtures, ...parts);
}

export const osvFixtures = () => fixture('osv');
export const debianFixtures = () => fixture('debian');
export const alpineFixtures = () => fixture('alpine');

/** Every file below a folder, paths relative to it, in byte order. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** A fresh folder under the test run's temporary directory (test/support/global-setup.ts). */
export function tempDir(prefix = 'berth-advisories-'): string {
  return mkdtempSync(path.join(process.env.BERTH_TEST_TMP ?? os.tmpdir(), prefix));
}

export interface TestStore {
  store: AdvisoryStore;
  dir: string;
  file: string;
}

export async function openTestStore(): Promise<TestStore> {
  const dir = tempDir();
  const file = path.join(dir, 'advisories.db');

  return { store: await openAdvisoryStore(file), dir, file };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);

  return all;
}

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Stored instead of deflated. */
  stored?: boolean;
  /** A size to declare instead of the real one, as a zip bomb would. */
  declaredSize?: number;
}

/**
 * A minimal zip writer for tests. Real tools refuse to write the hostile archives the tests
 * need (names with `..`, sizes that lie), so this writes the headers itself (APPNOTE 4.3).
 */
export function zipOf(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    const data = Buffer.from(entry.data);
    const body = entry.stored ? data : deflateRawSync(data);
    const name = Buffer.from(entry.name, 'utf8');
    const fields = {
      method: entry.stored ? 0 : 8,
      crc: crc32(data),
      compressed: body.length,
      size: entry.declaredSize ?? data.length,
    };

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeCommon(local, 4, fields, name.length);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    writeCommon(central, 6, fields, name.length);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }

  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);

  return Buffer.concat([...locals, directory, end]);
}

/** The fields local and central headers share, from "version needed" to "extra length". */
function writeCommon(
  header: Buffer,
  at: number,
  fields: { method: number; crc: number; compressed: number; size: number },
  nameLength: number,
): void {
  header.writeUInt16LE(20, at);
  header.writeUInt16LE(0x0800, at + 2);
  header.writeUInt16LE(fields.method, at + 4);
  header.writeUInt16LE(0, at + 6);
  header.writeUInt16LE(((2024 - 1980) << 9) | (1 << 5) | 1, at + 8);
  header.writeUInt32LE(fields.crc, at + 10);
  header.writeUInt32LE(fields.compressed, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
  header.writeUInt16LE(0, at + 24);
}
