import SQLite from 'better-sqlite3';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, resolvedPaths } from '../../../../src/config/index.js';
import {
  distributionOf,
  importAdvisories,
  openAdvisoryStore,
} from '../../../../src/scan/advisories/index.js';
import { debianFixtures, openTestStore, osvFixtures, tempDir } from './support.js';

function rowCounts(file: string): { advisories: number; packages: number } {
  const db = new SQLite(file, { readonly: true });
  try {
    const count = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { advisories: count('advisories'), packages: count('affected_packages') };
  } finally {
    db.close();
  }
}

describe('the advisory store', () => {
  it('replaces a source when the same input is imported again', async () => {
    const { store, file } = await openTestStore();

    const first = await importAdvisories(store, osvFixtures(), { now: 1000 });
    const second = await importAdvisories(store, osvFixtures(), { now: 2000 });

    expect(first.replaced).toBeUndefined();
    expect(second).toMatchObject({
      name: path.resolve(osvFixtures()),
      importedAt: 2000,
      advisories: 77,
      packages: 146,
      replaced: { advisories: 77, packages: 146 },
    });
    expect(await store.sources()).toHaveLength(1);
    expect(rowCounts(file)).toEqual({ advisories: 77, packages: 146 });
    await store.close();
  });

  it('keeps sources with different names side by side', async () => {
    const { store } = await openTestStore();

    await importAdvisories(store, osvFixtures(), { name: 'one' });
    await importAdvisories(store, osvFixtures(), { name: 'two' });
    const lodash = await store.forEcosystemPackage('npm', 'lodash');

    expect((await store.sources()).map((s) => s.name)).toEqual(['one', 'two']);
    expect(new Set(lodash.map((a) => a.source))).toEqual(new Set(['one', 'two']));
    await store.close();
  });

  it('leaves the previous import as it was when a re-import fails part-way', async () => {
    const { store, file } = await openTestStore();
    const input = tempDir();
    cpSync(osvFixtures(), path.join(input, 'records'), { recursive: true });
    await importAdvisories(store, input, { name: 'ghsa' });
    writeFileSync(path.join(input, 'zzz-broken.json'), '{"id": "GHSA-broken", "modified": ');

    await expect(importAdvisories(store, input, { name: 'ghsa' })).rejects.toThrow(
      'zzz-broken.json: not valid JSON',
    );

    expect(await store.sources()).toMatchObject([{ name: 'ghsa', advisories: 77 }]);
    expect(rowCounts(file)).toEqual({ advisories: 77, packages: 146 });
    await store.close();
  });

  it('lives in a file of its own that keeps its data across reopening', async () => {
    const dir = tempDir();
    const file = resolvedPaths(configSchema.parse({ dataDir: dir })).advisoryDatabasePath;
    const store = await openAdvisoryStore(file);
    await importAdvisories(store, debianFixtures(), { name: 'debian' });
    await store.close();

    const reopened = await openAdvisoryStore(file);
    const [source] = await reopened.sources();

    expect(file).toBe(path.join(dir, 'advisories.db'));
    expect(existsSync(file)).toBe(true);
    expect(source).toMatchObject({ name: 'debian', advisories: 19 });
    await reopened.close();
  });

  it('dates undated formats by their files and summarises statuses per source', async () => {
    const { store } = await openTestStore();

    const imported = await importAdvisories(store, debianFixtures(), { now: 5 });
    const [source] = await store.sources();

    expect(source!.dataAt).toBeGreaterThan(0);
    expect(source).toEqual({ ...imported, replaced: undefined });
    expect(Object.values(source!.statuses).reduce((a, b) => a + b)).toBe(source!.packages);
    await store.close();
  });
});

describe('which distribution release an image is looked up under', () => {
  it.each([
    [
      { id: 'debian', versionId: '12', codename: 'bookworm' },
      { distro: 'debian', release: 'bookworm' },
    ],
    [
      { id: 'debian', versionId: '12' },
      { distro: 'debian', release: 'bookworm' },
    ],
    [
      { id: 'debian', codename: 'trixie' },
      { distro: 'debian', release: 'trixie' },
    ],
    [
      { id: 'alpine', versionId: '3.20.3' },
      { distro: 'alpine', release: '3.20' },
    ],
    [
      { id: 'ubuntu', versionId: '22.04' },
      { distro: 'ubuntu', release: '22.04' },
    ],
    [
      { id: 'rocky', versionId: '9.4' },
      { distro: 'rocky', release: '9' },
    ],
    [
      { id: 'wolfi', versionId: '20230201' },
      { distro: 'wolfi', release: '' },
    ],
    [{ id: 'debian' }, undefined],
  ])('%o → %o', (os, expected) => {
    expect(distributionOf(os)).toEqual(expected);
  });
});
