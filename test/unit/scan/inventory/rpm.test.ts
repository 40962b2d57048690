// rpm databases written by rpm itself (test/fixtures/scan/inventory/generate-rpm.sh), checked
// against what `rpm -qa` reported when they were written.

import Database from 'better-sqlite3';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageOfHeader } from '../../../../src/scan/inventory/analysers/rpm/header.js';
import { readDatabase } from '../../../../src/scan/inventory/analysers/rpm/index.js';
import { analyseImage } from '../../../../src/scan/inventory/index.js';
import type { FoundPackage } from '../../../../src/scan/inventory/types.js';
import { tempDir } from '../../../support/server.js';
import { BlobSet, file, gzipTarOf } from './layers.js';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/scan/inventory/rpm');

/** `rpm -qa` as recorded: name, version (epoch dropped when 0), arch, source rpm, licence. */
function expected(): { packages: string[][]; files: Map<string, string[]> } {
  const lines = readFileSync(path.join(fixtures, 'expected.tsv'), 'utf8').trim().split('\n');
  const rows = lines.map((line) => line.split('\t'));
  const files = new Map<string, string[]>();
  for (const [, name, file] of rows.filter((row) => row[0] === 'file')) {
    files.set(name as string, [...(files.get(name as string) ?? []), (file as string).slice(1)]);
  }

  const packages = rows
    .filter((row) => row[0] !== 'file')
    .map(([name, evr, arch, sourceRpm, license]) => [
      name as string,
      (evr as string).replace(/^0:/, ''),
      arch as string,
      sourceRpm as string,
      license as string,
    ]);

  return { packages, files };
}

function summary(found: FoundPackage[]): string[][] {
  return found
    .map((item) => [
      item.name,
      item.version,
      item.arch ?? '',
      `${item.sourceName}-${item.sourceVersion?.replace(/^\d+:/, '')}.src.rpm`,
      item.licenses.join(' '),
    ])
    .sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

function headerBlobs(): Buffer[] {
  const db = new Database(path.join(fixtures, 'rpmdb.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT blob FROM Packages ORDER BY hnum').raw().all() as [Buffer][]).map(
      ([blob]) => blob,
    );
  } finally {
    db.close();
  }
}

/** An ndb Packages.db holding `blobs`, laid out as rpm's lib/backend/ndb/rpmpkg.c writes it. */
function ndbOf(blobs: Buffer[]): Buffer {
  const page = 4096;
  const header = Buffer.alloc(32);
  header.write('RpmP', 0, 'latin1');
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(1, 12);
  header.writeUInt32LE(blobs.length + 1, 16);

  const slots = Buffer.alloc(page - 32);
  const areas: Buffer[] = [];
  let block = page / 16;
  for (let at = 0; at < slots.length; at += 16) slots.write('Slot', at, 'latin1');
  blobs.forEach((blob, index) => {
    const head = Buffer.alloc(16);
    head.write('BlbS', 0, 'latin1');
    head.writeUInt32LE(index + 1, 4);
    head.writeUInt32LE(1_700_000_000, 8);
    head.writeUInt32LE(blob.length, 12);
    const tail = Buffer.alloc(12);
    tail.write('BlbE', 8, 'latin1');
    const area = Buffer.concat([head, blob, tail]);
    const padded = Buffer.concat([area, Buffer.alloc((16 - (area.length % 16)) % 16)]);

    // Slot 3 stays free, as after a package removal.
    const slot = (index >= 1 ? index + 1 : index) * 16;
    slots.writeUInt32LE(index + 1, slot + 4);
    slots.writeUInt32LE(block, slot + 8);
    slots.writeUInt32LE(padded.length / 16, slot + 12);
    areas.push(padded);
    block += padded.length / 16;
  });

  return Buffer.concat([header, slots, ...areas]);
}

describe('rpm databases', () => {
  const truth = expected();

  it('reads every header blob of rpm’s SQLite database', () => {
    const found = headerBlobs().map((blob) => packageOfHeader(blob) as FoundPackage);

    expect(summary(found)).toEqual(truth.packages);
    expect(Object.fromEntries(found.map((item) => [item.name, item.files]))).toEqual(
      Object.fromEntries(truth.files),
    );
    expect(found.find((item) => item.name === 'berth-libs')).toMatchObject({
      version: '1:2.4.1-3.fc39',
      epoch: 1,
      sourceName: 'berth-tools',
      sourceVersion: '1:2.4.1-3.fc39',
    });
  });

  it.each(['rpmdb.sqlite', 'Packages', 'Packages-512'])(
    'reads %s the way rpm -qa does',
    async (name) => {
      const copy = path.join(tempDir(), name);
      copyFileSync(path.join(fixtures, name), copy);

      expect(summary(await readDatabase(copy))).toEqual(truth.packages);
    },
  );

  it('reads an ndb Packages.db', async () => {
    const copy = path.join(tempDir(), 'Packages.db');
    writeFileSync(copy, ndbOf(headerBlobs()));

    expect(summary(await readDatabase(copy))).toEqual(truth.packages);
  });

  it('rejects headers whose sizes do not fit', () => {
    const blob = Buffer.from(headerBlobs()[0] as Buffer);
    blob.writeUInt32BE(0x7fffffff, 4);

    expect(() => packageOfHeader(blob)).toThrow('exceed');
  });

  it('inventories an rpm image with purls, and reports a corrupt database', async () => {
    const blobs = new BlobSet();
    const broken = Buffer.from(readFileSync(path.join(fixtures, 'Packages')));
    broken.fill(0xff, 4096, 8192);
    const layers = [
      await gzipTarOf([
        file('etc/os-release', 'ID="fedora"\nVERSION_ID=39\n'),
        file(
          'usr/lib/sysimage/rpm/rpmdb.sqlite',
          readFileSync(path.join(fixtures, 'rpmdb.sqlite')),
        ),
        { symlink: 'var/lib/rpm', target: '../../usr/lib/sysimage/rpm' },
        file('usr/bin/berth-tool', 'tool'),
      ]),
      await gzipTarOf([file('usr/share/rpm/Packages', broken)]),
    ];
    const before = rpmTempDirs();

    const inventory = await analyseImage({
      layers: layers.map((layer) => blobs.add(layer)),
      openBlob: blobs.open,
    });

    expect(inventory.packages.map((item) => item.purl)).toEqual([
      'pkg:rpm/fedora/berth-data@0.9~rc1-1.el9?arch=noarch&distro=fedora-39',
      'pkg:rpm/fedora/berth-libs@2.4.1-3.fc39?arch=x86_64&distro=fedora-39&epoch=1',
      'pkg:rpm/fedora/berth-tools@2.4.1-3.fc39?arch=x86_64&distro=fedora-39&epoch=1',
    ]);
    expect(inventory.packages[2]).toMatchObject({
      location: '/usr/lib/sysimage/rpm/rpmdb.sqlite',
      licenses: ['MIT AND Apache-2.0'],
      files: ['/usr/bin/berth-tool'],
    });
    expect(inventory.problems).toMatchObject([
      { kind: 'file-unreadable', path: '/usr/share/rpm/Packages' },
    ]);
    expect(rpmTempDirs()).toEqual(before);
  });
});

function rpmTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('berth-rpmdb-'));
}
