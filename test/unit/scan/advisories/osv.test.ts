import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAdvisories, type AdvisoryStore } from '../../../../src/scan/advisories/index.js';
import { osvAdvisory } from '../../../../src/scan/advisories/osv.js';
import { filesUnder, openTestStore, osvFixtures, tempDir, zipOf } from './support.js';

/** The GitHub Advisory Database fixture: 77 records, 146 affected packages. */
const recordCount = 77;
const packageCount = 146;

function record(id: string): { name: string; text: string } {
  const file = filesUnder(osvFixtures()).find((f) => path.basename(f) === `${id}.json`);
  if (!file) throw new Error(`no fixture ${id}`);

  return { name: file, text: readFileSync(path.join(osvFixtures(), file), 'utf8') };
}

describe('importing the GitHub Advisory Database fixture (OSV)', () => {
  let store: AdvisoryStore;

  beforeAll(async () => {
    ({ store } = await openTestStore());
    await importAdvisories(store, osvFixtures(), { name: 'ghsa' });
  });
  afterAll(() => store.close());

  it('stores every record and every affected package', async () => {
    const [source] = await store.sources();

    expect(source).toMatchObject({
      name: 'ghsa',
      format: 'osv',
      advisories: recordCount,
      packages: packageCount,
      withdrawn: 0,
      statuses: { fixed: 144, affected: 2, 'will-not-fix': 0, deferred: 0 },
    });
    expect(source!.dataAt).toBe(
      Math.max(
        ...filesUnder(osvFixtures()).map((f) =>
          Date.parse(
            (JSON.parse(readFileSync(path.join(osvFixtures(), f), 'utf8')) as { modified: string })
              .modified,
          ),
        ),
      ),
    );
  });

  it('keeps ranges as written, including last_affected and odd introduced versions', async () => {
    const trim = await store.forEcosystemPackage('npm', 'lodash.trim');
    const fetch = await store.forEcosystemPackage('npm', 'node-fetch');

    expect(trim).toHaveLength(1);
    expect(trim[0]).toMatchObject({
      id: 'GHSA-29mw-wpgm-hmr9',
      aliases: ['CVE-2020-28500'],
      status: 'affected',
      ranges: [
        {
          type: 'ECOSYSTEM',
          events: [
            { kind: 'introduced', version: '0' },
            { kind: 'last_affected', version: '4.5.1' },
          ],
        },
      ],
    });
    const node = fetch.filter((a) => a.id === 'GHSA-r683-j2x4-v87g');
    expect(node.map((a) => a.ranges[0]!.events)).toEqual([
      [
        { kind: 'introduced', version: '1.0' },
        { kind: 'fixed', version: '3.1.1' },
      ],
      [
        { kind: 'introduced', version: '0' },
        { kind: 'fixed', version: '2.6.7' },
      ],
    ]);
  });

  it('finds a package however the advisory capitalises it (GHSA lists "Axios")', async () => {
    const axios = await store.forEcosystemPackage('npm', 'axios');
    const capitalised = axios.find((a) => a.id === 'GHSA-8hc4-vh64-cxmj');

    expect(capitalised).toMatchObject({
      package: 'Axios',
      severity: 'high',
      severitySource: 'ghsa',
    });
    expect(axios.length).toBeGreaterThan(1);
  });

  it('puts the vendor label first and keeps every CVSS vector', async () => {
    const [bodyParser] = (await store.forEcosystemPackage('npm', 'body-parser')).filter(
      (a) => a.id === 'GHSA-qwcr-r2fm-qrc7',
    );

    expect(bodyParser!.severities).toEqual([
      { source: 'ghsa', level: 'high', value: 'HIGH' },
      {
        source: 'cvss-v3',
        level: 'high',
        value: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
        score: 7.5,
      },
      {
        source: 'cvss-v4',
        level: 'unknown',
        value: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N',
      },
    ]);
  });

  it('reads an old record: lowercase severity, empty severity list, github_reviewed null', async () => {
    const lodash = await store.forEcosystemPackage('npm', 'lodash');
    const old = lodash.find((a) => a.id === 'GHSA-x5rq-j2xg-h7qm');

    expect(old).toMatchObject({
      severity: 'medium',
      severitySource: 'ghsa',
      severities: [{ source: 'ghsa', level: 'medium', value: 'moderate' }],
    });
  });

  it('keeps explicitly listed versions and records without aliases', async () => {
    const malware = (await store.forEcosystemPackage('npm', 'ua-parser-js')).filter(
      (a) => a.id === 'GHSA-pjwm-rvh2-c87w',
    );

    expect(malware.map((a) => a.versions)).toEqual([['0.7.29'], ['0.8.0'], ['1.0.0']]);
    expect(malware[0]!.aliases).toEqual([]);
  });

  it('finds a Go advisory filed under a package path from its module', async () => {
    const byModule = await store.forEcosystemPackage('Go', 'golang.org/x/text');
    const byPackage = await store.forEcosystemPackage('Go', 'golang.org/x/text/language');

    expect(byModule.map((a) => [a.id, a.package])).toEqual([
      ['GHSA-69ch-w2m2-3vjp', 'golang.org/x/text/language'],
    ]);
    expect(byPackage.map((a) => a.id)).toEqual(['GHSA-69ch-w2m2-3vjp']);
    expect(await store.forEcosystemPackage('Go', 'golang.org/x/tex')).toEqual([]);
  });

  it('normalises PyPI names and keeps Maven coordinates as written', async () => {
    const pyyaml = await store.forEcosystemPackage('PyPI', 'PyYAML');
    const jackson = await store.forEcosystemPackage(
      'Maven',
      'com.fasterxml.jackson.core:jackson-databind',
    );

    expect(pyyaml.map((a) => a.id)).toEqual(['GHSA-6757-jp84-gxfx']);
    expect(jackson.map((a) => a.id)).toEqual([
      'GHSA-57j2-w4cx-62h2',
      'GHSA-57j2-w4cx-62h2',
      'GHSA-jjjh-jjxp-wpff',
      'GHSA-jjjh-jjxp-wpff',
    ]);
  });

  it('keeps ecosystems it has no package type for, as OSV spells them', async () => {
    const actions = await store.forEcosystemPackage('GitHub Actions', 'word-wrap');

    expect(actions.map((a) => a.id)).toEqual(['GHSA-j8xg-fqg3-53r7']);
  });
});

describe('OSV archives', () => {
  it('imports a zip of records as the folder gives them', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'all.zip');
    const files = filesUnder(osvFixtures());
    writeFileSync(
      zip,
      zipOf(
        files.map((f) => ({
          name: path.basename(f),
          data: readFileSync(path.join(osvFixtures(), f)),
        })),
      ),
    );
    const { store } = await openTestStore();

    const imported = await importAdvisories(store, zip);

    expect(imported).toMatchObject({
      name: zip,
      format: 'osv',
      advisories: recordCount,
      packages: packageCount,
    });
    await store.close();
  });

  it("imports a folder of per-ecosystem all.zip exports (OSV-Scanner's offline layout)", async () => {
    const dir = tempDir();
    const byEcosystem = new Map<string, Array<{ name: string; data: Buffer }>>();
    for (const file of filesUnder(osvFixtures())) {
      const data = readFileSync(path.join(osvFixtures(), file));
      const ecosystem = (
        JSON.parse(data.toString()) as { affected: [{ package: { ecosystem: string } }] }
      ).affected[0].package.ecosystem;
      byEcosystem.set(ecosystem, [
        ...(byEcosystem.get(ecosystem) ?? []),
        { name: path.basename(file), data },
      ]);
    }
    for (const [ecosystem, entries] of byEcosystem) {
      mkdirSync(path.join(dir, 'osv-scanner', ecosystem), { recursive: true });
      writeFileSync(path.join(dir, 'osv-scanner', ecosystem, 'all.zip'), zipOf(entries));
    }
    const { store } = await openTestStore();

    const imported = await importAdvisories(store, dir, { name: 'osv' });

    expect(imported).toMatchObject({ advisories: recordCount, packages: packageCount });
    expect((await store.forEcosystemPackage('crates.io', 'tokio')).length).toBeGreaterThan(0);
    await store.close();
  });
});

describe('OSV records one by one', () => {
  const { text } = record('GHSA-29mw-wpgm-hmr9');
  const base = JSON.parse(text) as Record<string, unknown>;

  it('marks withdrawn records, which carry no packages', () => {
    const advisory = osvAdvisory({ ...base, withdrawn: '2024-01-02T00:00:00Z' }, 'w.json');

    expect(advisory.withdrawn).toBe(Date.parse('2024-01-02T00:00:00Z'));
    expect(advisory.affected).toEqual([]);
  });

  it('drops commit ranges and entries left with nothing', () => {
    const advisory = osvAdvisory(
      {
        id: 'OSV-TEST-1',
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'a' },
            ranges: [{ type: 'GIT', repo: 'x', events: [{ introduced: '0' }, { fixed: 'abc' }] }],
          },
          {
            package: { ecosystem: 'npm', name: 'b' },
            ranges: [{ type: 'GIT', repo: 'x', events: [{ introduced: '0' }] }],
            versions: ['1.0.0'],
          },
        ],
      },
      'git.json',
    );

    expect(advisory.affected.map((a) => [a.name, a.ranges, a.versions])).toEqual([
      ['b', [], ['1.0.0']],
    ]);
  });

  it("maps distribution ecosystems to the image's distribution and release", () => {
    const advisory = osvAdvisory(
      {
        id: 'DEBIAN-CVE-2023-38545',
        upstream: ['CVE-2023-38545'],
        modified: '2024-01-01T00:00:00Z',
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: 'curl' },
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u4' }] },
            ],
            ecosystem_specific: { urgency: 'not yet assigned' },
          },
          {
            package: { ecosystem: 'Alpine:v3.20', name: 'curl' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '8.4.0-r0' }] }],
          },
        ],
      },
      'debian.json',
    );

    expect(advisory.aliases).toEqual(['CVE-2023-38545']);
    expect(advisory.affected.map((a) => [a.ecosystem, a.release, a.severities])).toEqual([
      ['debian', 'bookworm', [{ source: 'debian', level: 'unknown', value: 'not yet assigned' }]],
      ['alpine', '3.20', []],
    ]);
  });

  it('refuses a record whose dates are not dates', () => {
    expect(() => osvAdvisory({ ...base, modified: 'yesterday' }, 'd.json')).toThrow(
      'd.json: modified: "yesterday" is not a date',
    );
  });

  it('lets the newest copy of a record win when a folder holds two', async () => {
    const dir = tempDir();
    const older = { ...base, modified: '2020-01-01T00:00:00Z', summary: 'older' };
    const newer = { ...base, modified: '2030-01-01T00:00:00Z', summary: 'newer' };
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify(older));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify(newer));
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify(older));
    const { store } = await openTestStore();

    const imported = await importAdvisories(store, dir);
    const trim = await store.forEcosystemPackage('npm', 'lodash.trim');

    expect(imported).toMatchObject({ advisories: 1, packages: 4 });
    expect(trim.map((a) => a.summary)).toEqual(['newer']);
    await store.close();
  });

  it('removes a record whose newest copy is withdrawn', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.json'), text);
    writeFileSync(
      path.join(dir, 'b.json'),
      JSON.stringify({
        ...base,
        modified: '2030-01-01T00:00:00Z',
        withdrawn: '2030-01-01T00:00:00Z',
      }),
    );
    const { store } = await openTestStore();

    const imported = await importAdvisories(store, dir);

    expect(imported).toMatchObject({ advisories: 0, packages: 0, withdrawn: 1 });
    await store.close();
  });
});
