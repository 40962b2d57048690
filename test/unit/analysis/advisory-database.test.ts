import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryDatabase, NO_ADVISORIES } from '../../../src/analysis/advisory-database.js';
import { importAdvisories, openAdvisoryStore } from '../../../src/scan/advisories/index.js';
import { expectedFixtures } from '../scan/match/support.js';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function databaseWith(file: string, sources: string[]): Promise<void> {
  const store = await openAdvisoryStore(file);
  for (const name of sources) {
    await importAdvisories(store, path.join(expectedFixtures, name), { name });
  }
  await store.close();
}

describe('AdvisoryDatabase', () => {
  it('is empty, version "none", until something is imported', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-advisories-'));
    dirs.push(dir);
    const database = new AdvisoryDatabase(path.join(dir, 'advisories.db'));

    expect(await database.version()).toBe(NO_ADVISORIES);
    await database.close();
  });

  it('sees an import made by another process, and a file moved into its place', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-advisories-'));
    dirs.push(dir);
    const file = path.join(dir, 'advisories.db');
    const database = new AdvisoryDatabase(file);
    await databaseWith(file, ['debian']);
    const first = await database.version();

    const built = path.join(dir, 'built-elsewhere.db');
    await databaseWith(built, ['debian', 'osv']);
    renameSync(built, file);

    expect(first).not.toBe(NO_ADVISORIES);
    expect((await database.sources()).map((source) => source.name)).toEqual(['debian', 'osv']);
    expect(await database.version()).not.toBe(first);
    await database.close();
  });
});
