import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importAdvisories,
  type AdvisoryStore,
  type PackageAdvisory,
} from '../../../../src/scan/advisories/index.js';
import { debianFixtures, fixture, openTestStore, tempDir } from './support.js';

/** What a bookworm (or other) lookup says about one issue: status, fixed version, note. */
function verdict(advisories: PackageAdvisory[], id: string) {
  const found = advisories.filter((a) => a.id === id);
  if (found.length === 0) return undefined;

  return found.map((a) => ({
    status: a.status,
    fixed: a.ranges[0]?.events.find((e) => e.kind === 'fixed')?.version,
    severity: a.severity,
    note: a.note,
  }))[0];
}

describe('Debian tracker entries, one file per CVE/DSA (vuln-list-debian layout)', () => {
  let store: AdvisoryStore;
  const lookup = (release: string, name: string) =>
    store.forDistributionPackage('debian', release, name);

  beforeAll(async () => {
    ({ store } = await openTestStore());
    await importAdvisories(store, debianFixtures(), { name: 'debian' });
  });
  afterAll(() => store.close());

  it('is recognised as Debian data and counted', async () => {
    const [source] = await store.sources();

    // 18 CVE files, plus CVE-2023-38546, which only DSA-5523-1 mentions.
    expect(source).toMatchObject({ name: 'debian', format: 'debian', advisories: 19 });
    expect(source!.statuses.deferred).toBeGreaterThan(0);
    expect(source!.statuses['will-not-fix']).toBeGreaterThan(0);
  });

  it('takes a back-ported fix from the DSA, not the upstream or unstable version', async () => {
    const bookworm = await lookup('bookworm', 'curl');
    const sid = await lookup('sid', 'curl');
    const curl = bookworm.find((a) => a.id === 'CVE-2023-38545');

    expect(verdict(bookworm, 'CVE-2023-38545')).toMatchObject({
      status: 'fixed',
      fixed: '7.88.1-10+deb12u4',
    });
    expect(curl!.aliases).toEqual(['DSA-5523-1']);
    expect(verdict(sid, 'CVE-2023-38545')).toMatchObject({ status: 'fixed', fixed: '8.3.0-3' });
    expect(verdict(await lookup('buster', 'curl'), 'CVE-2023-38545')).toBeUndefined();
  });

  it('creates the advisories a DSA names that have no entry of their own', async () => {
    const bookworm = await lookup('bookworm', 'curl');
    const bullseye = await lookup('bullseye', 'curl');
    const companion = bookworm.find((a) => a.id === 'CVE-2023-38546');

    expect(verdict(bookworm, 'CVE-2023-38546')).toMatchObject({ fixed: '7.88.1-10+deb12u4' });
    expect(verdict(bullseye, 'CVE-2023-38546')).toMatchObject({ fixed: '7.74.0-1.3+deb11u10' });
    expect(companion!.summary).toBe('DSA-5523-1: curl - security update');
  });

  it.each([
    ['glibc', 'CVE-2023-4911', '2.36-9+deb12u3'],
    ['openssl', 'CVE-2023-5363', '3.0.11-1~deb12u2'],
    ['gnutls28', 'CVE-2024-0553', '3.7.9-2+deb12u2'],
    ['expat', 'CVE-2023-52425', '2.5.0-1+deb12u2'],
    ['perl', 'CVE-2023-31484', '5.36.0-7+deb12u3'],
  ])('keeps the bookworm-specific fix of %s %s', async (name, id, fixed) => {
    expect(verdict(await lookup('bookworm', name), id)).toMatchObject({ status: 'fixed', fixed });
  });

  it('lets the unstable fix decide where a release has no line of its own', async () => {
    expect(verdict(await lookup('bookworm', 'ncurses'), 'CVE-2023-29491')).toMatchObject({
      status: 'fixed',
      fixed: '6.4-3',
    });
    expect(verdict(await lookup('bullseye', 'ncurses'), 'CVE-2023-29491')).toMatchObject({
      fixed: '6.2+20201114-2+deb11u2',
    });
    expect(verdict(await lookup('bookworm', 'zlib'), 'CVE-2022-37434')).toMatchObject({
      fixed: '1:1.2.11.dfsg-4.1',
    });
  });

  it('maps no-dsa to affected, postponed to deferred and ignored to will-not-fix', async () => {
    expect(verdict(await lookup('bookworm', 'systemd'), 'CVE-2023-7008')).toEqual({
      status: 'affected',
      fixed: undefined,
      severity: 'unknown',
      note: 'Minor issue',
    });
    expect(verdict(await lookup('buster', 'systemd'), 'CVE-2023-7008')).toMatchObject({
      status: 'deferred',
      note: 'Minor issue, should be fixed after newer releases are done',
    });
    expect(verdict(await lookup('bookworm', 'libxmltok'), 'CVE-2023-52425')).toMatchObject({
      status: 'will-not-fix',
      note: 'Minor issue, no runtime dependencies left',
    });
    for (const [name, id] of [
      ['libxml2', 'CVE-2024-25062'],
      ['sqlite3', 'CVE-2023-7104'],
      ['tar', 'CVE-2023-39804'],
    ] as const) {
      expect(verdict(await lookup('bookworm', name), id)).toMatchObject({ status: 'affected' });
    }
  });

  it('keeps unfixed, unimportant issues with the urgency as their severity', async () => {
    expect(verdict(await lookup('bookworm', 'apt'), 'CVE-2011-3374')).toMatchObject({
      status: 'affected',
      severity: 'negligible',
    });
    expect(verdict(await lookup('bookworm', 'tar'), 'CVE-2005-2541')).toMatchObject({
      status: 'affected',
      severity: 'negligible',
    });
  });

  it('stores nothing for a release that is not affected', async () => {
    expect(verdict(await lookup('bookworm', 'xz-utils'), 'CVE-2024-3094')).toBeUndefined();
    expect(verdict(await lookup('trixie', 'xz-utils'), 'CVE-2024-3094')).toMatchObject({
      fixed: '5.6.1+really5.4.5-1',
    });
  });

  it('treats a package removed from unstable as still open where it ships', async () => {
    expect(verdict(await lookup('bookworm', 'glibc'), 'CVE-2010-4756')).toMatchObject({
      status: 'affected',
      severity: 'negligible',
    });
    expect(verdict(await lookup('sid', 'glibc'), 'CVE-2010-4756')).toBeUndefined();
  });

  it('resolves records for the releases distributions.json lists', async () => {
    const releases = ['wheezy', 'jessie', 'stretch', 'buster', 'bullseye', 'bookworm', 'trixie'];
    const found = await Promise.all(releases.map((r) => lookup(r, 'apt')));

    expect(found.map((f) => f.length)).toEqual(releases.map(() => 1));
    expect(await lookup('experimental', 'perl')).toEqual([]);
    expect(await lookup('duke', 'apt')).toEqual([]);
  });
});

/** A small export in the tracker's JSON shape, with the facts of the entries above. */
const trackerExport = {
  curl: {
    'CVE-2023-38545': {
      description:
        'This flaw makes curl overflow a heap based buffer in the SOCKS5 proxy handshake.',
      scope: 'remote',
      releases: {
        bookworm: {
          status: 'resolved',
          repositories: { bookworm: '7.88.1-10+deb12u5' },
          fixed_version: '7.88.1-10+deb12u4',
          urgency: 'not yet assigned',
        },
        buster: {
          status: 'resolved',
          repositories: { buster: '7.64.0-4+deb10u2' },
          fixed_version: '0',
          urgency: 'not yet assigned',
        },
        sid: {
          status: 'resolved',
          repositories: { sid: '8.5.0-2' },
          fixed_version: '8.3.0-3',
          urgency: 'not yet assigned',
        },
      },
    },
  },
  expat: {
    'CVE-2023-52425': {
      description: 'libexpat through 2.5.0 allows a denial of service.',
      releases: {
        bookworm: {
          status: 'resolved',
          fixed_version: '2.5.0-1+deb12u2',
          urgency: 'not yet assigned',
        },
      },
    },
  },
  libxmltok: {
    'CVE-2023-52425': {
      description: 'libexpat through 2.5.0 allows a denial of service.',
      releases: {
        bookworm: {
          status: 'open',
          urgency: 'not yet assigned',
          nodsa: 'Minor issue, no runtime dependencies left',
          nodsa_reason: 'ignored',
        },
      },
    },
  },
  systemd: {
    'CVE-2023-7008': {
      releases: {
        bookworm: {
          status: 'open',
          urgency: 'not yet assigned',
          nodsa: 'Minor issue',
          nodsa_reason: '',
        },
        buster: {
          status: 'open',
          urgency: 'not yet assigned',
          nodsa: 'Minor issue, should be fixed after newer releases are done',
          nodsa_reason: 'postponed',
        },
      },
    },
  },
  apt: {
    'CVE-2011-3374': {
      releases: { bookworm: { status: 'open', urgency: 'unimportant' } },
    },
  },
  'node-undici': {
    'CVE-2024-0001': {
      releases: { bookworm: { status: 'undetermined', urgency: 'not yet assigned' } },
    },
  },
  'ruby2.7': {
    'CVE-2024-0002': {
      releases: { bullseye: { status: 'open', urgency: 'end-of-life' } },
    },
  },
};

describe("the Debian tracker's JSON export", () => {
  let store: AdvisoryStore;
  let file: string;
  const lookup = (release: string, name: string) =>
    store.forDistributionPackage('debian', release, name);

  beforeAll(async () => {
    ({ store } = await openTestStore());
    file = path.join(tempDir(), 'json');
    writeFileSync(file, JSON.stringify(trackerExport));
    await importAdvisories(store, file);
  });
  afterAll(() => store.close());

  it('is recognised without a file extension and keyed by source package and codename', async () => {
    const [source] = await store.sources();

    expect(source).toMatchObject({ name: file, format: 'debian', advisories: 6 });
    expect(verdict(await lookup('bookworm', 'curl'), 'CVE-2023-38545')).toMatchObject({
      status: 'fixed',
      fixed: '7.88.1-10+deb12u4',
    });
    expect(verdict(await lookup('buster', 'curl'), 'CVE-2023-38545')).toBeUndefined();
  });

  it('brings one issue together across the source packages it is filed under', async () => {
    const expat = await lookup('bookworm', 'expat');
    const libxmltok = await lookup('bookworm', 'libxmltok');

    expect(verdict(expat, 'CVE-2023-52425')).toMatchObject({ status: 'fixed' });
    expect(verdict(libxmltok, 'CVE-2023-52425')).toMatchObject({
      status: 'will-not-fix',
      note: 'Minor issue, no runtime dependencies left',
    });
  });

  it('maps the open states', async () => {
    expect(verdict(await lookup('bookworm', 'systemd'), 'CVE-2023-7008')).toMatchObject({
      status: 'affected',
      note: 'Minor issue',
    });
    expect(verdict(await lookup('buster', 'systemd'), 'CVE-2023-7008')).toMatchObject({
      status: 'deferred',
    });
    expect(verdict(await lookup('bookworm', 'apt'), 'CVE-2011-3374')).toMatchObject({
      status: 'affected',
      severity: 'negligible',
    });
    expect(verdict(await lookup('bookworm', 'node-undici'), 'CVE-2024-0001')).toMatchObject({
      status: 'affected',
    });
    expect(verdict(await lookup('bullseye', 'ruby2.7'), 'CVE-2024-0002')).toMatchObject({
      status: 'will-not-fix',
      note: 'end of life',
    });
  });

  it('streams the export: only one package at a time has to fit the document limit', async () => {
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) big[`package-${i}`] = trackerExport.apt;
    const bigFile = path.join(tempDir(), 'big.json');
    writeFileSync(bigFile, JSON.stringify(big));
    const { store: other } = await openTestStore();

    const imported = await importAdvisories(other, bigFile, {
      limits: { maxDocumentBytes: 4096 },
    });

    expect(imported).toMatchObject({ advisories: 1, packages: 2000 });
    await other.close();
  });

  it('names the package and field when an entry has the wrong shape', async () => {
    const broken = path.join(tempDir(), 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ ...trackerExport, zlib: { 'CVE-2022-37434': { releases: 'bookworm' } } }),
    );
    const { store: other } = await openTestStore();

    await expect(importAdvisories(other, broken)).rejects.toThrow(
      `${broken}: not Debian tracker data: zlib.CVE-2022-37434.releases: expected record, received string`,
    );
    expect(await other.sources()).toEqual([]);
    await other.close();
  });
});

it('reads a single Debian entry file on its own', async () => {
  const { store } = await openTestStore();

  await importAdvisories(
    store,
    fixture('debian/vuln-list-debian/tracker/CVE/2023/CVE-2023-7008.json'),
  );

  expect(
    verdict(await store.forDistributionPackage('debian', 'bookworm', 'systemd'), 'CVE-2023-7008'),
  ).toMatchObject({ status: 'affected' });
  await store.close();
});
