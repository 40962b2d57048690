import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories, type AdvisoryStore } from '../../../../src/scan/advisories/index.js';
import { alpineFixtures, filesUnder, fixture, openTestStore, tempDir } from './support.js';

/** Fixed (version, id) pairs in the fixture's five files, and the distinct ids among them. */
const fixCount = 273;
const idCount = 228;

describe('Alpine secdb, one package per file (vuln-list layout)', () => {
  let store: AdvisoryStore;

  beforeAll(async () => {
    ({ store } = await openTestStore());
    await importAdvisories(store, alpineFixtures(), { name: 'alpine' });
  });
  afterAll(() => store.close());

  it('stores every fix as a fixed record of its branch', async () => {
    const [source] = await store.sources();

    expect(source).toMatchObject({
      format: 'alpine',
      advisories: idCount,
      packages: fixCount,
      statuses: { fixed: fixCount, affected: 0, 'will-not-fix': 0, deferred: 0 },
    });
  });

  it('keys records by branch and origin package', async () => {
    const curl = await store.forDistributionPackage('alpine', '3.19', 'curl');
    const socks = curl.filter((a) => a.id === 'CVE-2023-38545');

    expect(socks).toMatchObject([
      {
        release: '3.19',
        status: 'fixed',
        severity: 'unknown',
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [
              { kind: 'introduced', version: '0' },
              { kind: 'fixed', version: '8.4.0-r0' },
            ],
          },
        ],
      },
    ]);
    expect(await store.forDistributionPackage('alpine', '3.20', 'curl')).toEqual([]);
  });

  it('leaves out the issues listed under version "0", which never affected the package', async () => {
    const openssl = await store.forDistributionPackage('alpine', '3.20', 'openssl');
    const ids = openssl.map((a) => a.id);

    expect(ids).toContain('CVE-2023-5363');
    expect(ids).not.toContain('CVE-2022-1292');
    expect(ids).not.toContain('CVE-2023-4807');
  });

  it('keeps ids that are not CVEs', async () => {
    const busybox = await store.forDistributionPackage('alpine', '3.19', 'busybox');

    expect(busybox.map((a) => a.id)).toContain('ALPINE-13661');
  });
});

describe('a whole secdb document (secdb.alpinelinux.org/v3.19/main.json)', () => {
  it('gives the same records as the per-package files of that branch', async () => {
    const branch = fixture('alpine/vuln-list/alpine/3.19/main');
    const files = filesUnder(branch).map(
      (f) => JSON.parse(readFileSync(path.join(branch, f), 'utf8')) as Record<string, unknown>,
    );
    const header: Record<string, unknown> = { ...files[0]! };
    delete header.name;
    delete header.secfixes;
    const secdb = {
      ...header,
      packages: files.map((f) => ({ pkg: { name: f.name, secfixes: f.secfixes } })),
    };
    const file = path.join(tempDir(), 'main.json');
    writeFileSync(file, JSON.stringify(secdb));
    const { store } = await openTestStore();

    const imported = await importAdvisories(store, file);
    const musl = await store.forDistributionPackage('alpine', '3.19', 'musl');

    expect(imported).toMatchObject({ format: 'alpine', packages: 28 + 121 + 6 + 45 });
    expect(musl.map((a) => a.id)).toEqual([
      'CVE-2016-8859',
      'CVE-2019-14697',
      'CVE-2020-28928',
      'CVE-2025-26519',
      'CVE-2026-40200',
      'CVE-2026-6042',
    ]);
    await store.close();
  });

  it('splits an entry holding several ids into an advisory and its aliases', async () => {
    const file = path.join(tempDir(), 'community.json');
    writeFileSync(
      file,
      JSON.stringify({
        distroversion: 'v3.20',
        reponame: 'community',
        packages: [
          { pkg: { name: 'demo', secfixes: { '1.2-r0': ['CVE-2024-1 GHSA-aaaa-bbbb-cccc'] } } },
        ],
      }),
    );
    const { store } = await openTestStore();

    await importAdvisories(store, file);
    const [demo] = await store.forDistributionPackage('alpine', '3.20', 'demo');

    expect(demo).toMatchObject({ id: 'CVE-2024-1', aliases: ['GHSA-aaaa-bbbb-cccc'] });
    await store.close();
  });
});
