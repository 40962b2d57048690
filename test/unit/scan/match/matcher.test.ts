// The matcher against the real advisory files in test/fixtures/advisories, with
// inventories written here: one package at a time, at versions on either side of each fix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importAdvisories,
  type AdvisoryStore,
  type PackageAdvisory,
} from '../../../../src/scan/advisories/index.js';
import { matchInventory, type AdvisoryLookup } from '../../../../src/scan/match/index.js';
import type { InventoryPackage, OperatingSystem, PackageType } from '../../../../src/scan/model.js';
import {
  alpineFixtures,
  debianFixtures,
  openTestStore,
  osvFixtures,
} from '../advisories/support.js';

const bookworm: OperatingSystem = { id: 'debian', versionId: '12', codename: 'bookworm' };
const buster: OperatingSystem = { id: 'debian', versionId: '10', codename: 'buster' };
const alpine319: OperatingSystem = { id: 'alpine', versionId: '3.19.1' };

function pkg(
  type: PackageType,
  name: string,
  version: string,
  extra: Partial<InventoryPackage> = {},
): InventoryPackage {
  return {
    type,
    name,
    version,
    licenses: [],
    purl: `pkg:${type}/${name}@${version}`,
    location: '/lib/db',
    layerDigest: 'sha256:' + 'a'.repeat(64),
    ...extra,
  };
}

let store: AdvisoryStore;

beforeAll(async () => {
  ({ store } = await openTestStore());
  await importAdvisories(store, debianFixtures(), { name: 'debian' });
  await importAdvisories(store, alpineFixtures(), { name: 'alpine' });
  await importAdvisories(store, osvFixtures(), { name: 'ghsa' });
});

afterAll(async () => store?.close());

async function findings(os: OperatingSystem | undefined, ...packages: InventoryPackage[]) {
  return matchInventory({ os, packages }, store);
}

describe('Debian packages', () => {
  it('reports a DSA fix not yet installed as fixed, with the DSA as an alias of each CVE', async () => {
    const curl = pkg('deb', 'libcurl4', '7.88.1-10+deb12u3', { sourceName: 'curl' });

    const { findings: found } = await findings(bookworm, curl);

    // DSA-5523-1 fixed two issues; the announcement does not merge them into one finding.
    expect(found.map((f) => f.id)).toEqual(['CVE-2023-38545', 'CVE-2023-38546']);
    expect(found[1]).toMatchObject({ aliases: ['DSA-5523-1'], fixedVersion: '7.88.1-10+deb12u4' });
    expect(found[0]).toMatchObject({
      id: 'CVE-2023-38545',
      aliases: ['DSA-5523-1'],
      package: { name: 'libcurl4', sourceName: 'curl' },
      installedVersion: '7.88.1-10+deb12u3',
      fixedVersion: '7.88.1-10+deb12u4',
      status: 'fixed',
    });
  });

  it('does not report a fix Debian back-ported below the upstream fixed version', async () => {
    const curl = pkg('deb', 'curl', '7.88.1-10+deb12u4');
    const libc = pkg('deb', 'libc6', '2.36-9+deb12u3', { sourceName: 'glibc' });

    const { findings: found } = await findings(bookworm, curl, libc);

    expect(found.map((f) => f.id)).not.toContain('CVE-2023-38545');
    expect(found.map((f) => f.id)).not.toContain('CVE-2023-4911');
  });

  it('compares the source version: a binNMU of the fixed source is fixed too', async () => {
    const gnutls = pkg('deb', 'libgnutls30', '3.7.9-2+deb12u2+b1', {
      sourceName: 'gnutls28',
      sourceVersion: '3.7.9-2+deb12u2',
    });
    const older = pkg('deb', 'libgnutls30', '3.7.9-2+deb12u1+b1', {
      sourceName: 'gnutls28',
      sourceVersion: '3.7.9-2+deb12u1',
    });

    expect((await findings(bookworm, gnutls)).findings).toEqual([]);
    expect((await findings(bookworm, older)).findings).toMatchObject([
      {
        id: 'CVE-2024-0553',
        installedVersion: '3.7.9-2+deb12u1+b1',
        fixedVersion: '3.7.9-2+deb12u2',
        package: { sourceVersion: '3.7.9-2+deb12u1' },
      },
    ]);
  });

  it('keeps the tracker decisions: ignored is will-not-fix, postponed is deferred, no-dsa is affected', async () => {
    const xmltok = pkg('deb', 'libxmltok1', '1.2-4', { sourceName: 'libxmltok' });
    const systemdBookworm = pkg('deb', 'libsystemd0', '252.19-1~deb12u1', {
      sourceName: 'systemd',
    });
    const systemdBuster = pkg('deb', 'libsystemd0', '241-7~deb10u10', { sourceName: 'systemd' });

    const [ignored] = (await findings(bookworm, xmltok)).findings;
    const [noDsa] = (await findings(bookworm, systemdBookworm)).findings;
    const [postponed] = (await findings(buster, systemdBuster)).findings;

    expect(ignored).toMatchObject({ id: 'CVE-2023-52425', status: 'will-not-fix' });
    expect(ignored?.note).toMatch(/Minor issue/);
    expect(noDsa).toMatchObject({ id: 'CVE-2023-7008', status: 'affected', note: 'Minor issue' });
    expect(postponed).toMatchObject({ id: 'CVE-2023-7008', status: 'deferred' });
    expect(ignored?.fixedVersion).toBeUndefined();
  });

  it('never reports a not-affected release', async () => {
    const xz = pkg('deb', 'liblzma5', '5.4.1-1', { sourceName: 'xz-utils' });

    const { findings: found } = await findings(bookworm, xz);

    expect(found.map((f) => f.id)).not.toContain('CVE-2024-3094');
  });

  it('uses the Debian urgency as the severity', async () => {
    const apt = pkg('deb', 'apt', '2.6.1');

    const [finding] = (await findings(bookworm, apt)).findings;

    expect(finding).toMatchObject({
      id: 'CVE-2011-3374',
      severity: 'negligible',
      severitySource: 'debian',
      severities: [{ source: 'debian', level: 'negligible', value: 'unimportant' }],
    });
  });

  it('looks nothing up for another distribution or a release nobody imported', async () => {
    const ubuntu: OperatingSystem = { id: 'ubuntu', versionId: '22.04' };
    const apt = pkg('deb', 'apt', '2.4.5');

    const result = await findings(ubuntu, apt);
    const unknown = await findings(undefined, apt);

    expect(result.findings).toEqual([]);
    expect(result.problems).toEqual([
      {
        kind: 'distribution-not-imported',
        detail:
          'no advisories for ubuntu 22.04 have been imported; its OS packages were not checked',
      },
    ]);
    expect(unknown.problems).toMatchObject([{ kind: 'distribution-unknown' }]);
  });
});

describe('Alpine packages', () => {
  it('matches by origin against the release branch, never the other branches', async () => {
    const old = pkg('apk', 'libcrypto3', '3.1.4-r0', { sourceName: 'openssl' });

    const { findings: found } = await findings(alpine319, old);

    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.status === 'fixed')).toBe(true);
    expect(found.every((f) => f.package.sourceName === 'openssl')).toBe(true);
    // secdb's "0" entries list issues that never affected the package.
    expect(found.map((f) => f.id)).not.toContain('CVE-2022-1292');
  });

  it('reports nothing once the last listed fix is installed', async () => {
    const musl = pkg('apk', 'musl', '1.2.4_git20230717-r6');
    const older = pkg('apk', 'musl', '1.2.4_git20230717-r4');

    expect((await findings(alpine319, musl)).findings).toEqual([]);
    expect((await findings(alpine319, older)).findings.map((f) => [f.id, f.fixedVersion])).toEqual([
      ['CVE-2025-26519', '1.2.4_git20230717-r5'],
      ['CVE-2026-40200', '1.2.4_git20230717-r6'],
      ['CVE-2026-6042', '1.2.4_git20230717-r6'],
    ]);
  });
});

describe('language packages', () => {
  it('evaluates every range of every record and gives the smallest fixing upgrade', async () => {
    const lodash = pkg('npm', 'lodash', '4.17.20');

    const { findings: found } = await findings(undefined, lodash);

    expect(found.map((f) => [f.id, f.fixedVersion])).toEqual([
      ['CVE-2020-28500', '4.17.21'],
      ['CVE-2021-23337', '4.17.21'],
    ]);
    expect(found[0]).toMatchObject({
      aliases: ['GHSA-29mw-wpgm-hmr9'],
      severitySource: 'ghsa',
      sources: ['ghsa'],
    });
  });

  it('picks the range of the installed branch', async () => {
    const semver = pkg('npm', 'semver', '6.3.0');
    const fixed = pkg('npm', 'semver', '7.5.2');

    expect((await findings(undefined, semver)).findings).toMatchObject([
      { id: 'CVE-2022-25883', fixedVersion: '6.3.1' },
    ]);
    expect((await findings(undefined, fixed)).findings).toEqual([]);
  });

  it('finds names the way each registry compares them', async () => {
    const axios = pkg('npm', 'axios', '1.7.2');
    const pyyaml = pkg('pypi', 'PyYAML', '5.1');

    const axiosIds = (await findings(undefined, axios)).findings.map((f) => f.id);
    const pyyamlIds = (await findings(undefined, pyyaml)).findings.map((f) => f.id);

    expect(axiosIds).toContain('CVE-2024-39338');
    expect(pyyamlIds).toEqual(['CVE-2020-1747']);
  });

  it('matches a Go module against records filed under its packages', async () => {
    const text = pkg('golang', 'golang.org/x/text', 'v0.3.7');

    const { findings: found } = await findings(undefined, text);

    expect(found).toMatchObject([{ id: 'CVE-2022-32149', fixedVersion: '0.3.8' }]);
  });

  it('says which versions it could not order instead of guessing', async () => {
    const devel = pkg('golang', 'golang.org/x/net', '(devel)');

    const { findings: found, problems } = await findings(undefined, devel);

    expect(found).toEqual([]);
    expect(problems).toMatchObject([
      {
        kind: 'version-unordered',
        purl: devel.purl,
        detail: expect.stringMatching(/^golang\.org\/x\/net \(devel\): could not evaluate GHSA-/),
      },
    ]);
  });

  it('never matches a language package against a distribution, or the reverse', async () => {
    const npmTar = pkg('npm', 'tar', '6.1.0');
    const debTar = pkg('deb', 'tar', '1.34+dfsg-1.2');

    const { findings: found } = await findings(bookworm, npmTar, debTar);

    expect(found.filter((f) => f.package.type === 'npm').map((f) => f.id)).toEqual([
      'CVE-2021-32803',
      'CVE-2021-32804',
      'CVE-2021-37701',
      'CVE-2021-37712',
      'CVE-2021-37713',
    ]);
    expect(
      found.filter((f) => f.package.type === 'deb').every((f) => f.sources[0] === 'debian'),
    ).toBe(true);
  });
});

describe('one issue from several sources', () => {
  function record(overrides: Partial<PackageAdvisory>): PackageAdvisory {
    return {
      source: 'a',
      id: 'X',
      aliases: [],
      ecosystem: 'npm',
      release: '',
      package: 'left-pad',
      status: 'fixed',
      ranges: [
        {
          type: 'ECOSYSTEM',
          events: [
            { kind: 'introduced', version: '0' },
            { kind: 'fixed', version: '1.3.0' },
          ],
        },
      ],
      versions: [],
      severity: 'unknown',
      severities: [],
      ...overrides,
    };
  }

  const lookup = (records: PackageAdvisory[]): AdvisoryLookup => ({
    forDistributionPackage: () => Promise.resolve([]),
    forEcosystemPackage: () => Promise.resolve(records),
    covers: () => Promise.resolve(true),
  });

  it('joins records about one CVE into one finding under the CVE', async () => {
    const records = [
      record({
        source: 'ghsa',
        id: 'GHSA-aaaa-bbbb-cccc',
        aliases: ['CVE-2020-1'],
        severities: [{ source: 'ghsa', level: 'high', value: 'HIGH' }],
      }),
      record({
        source: 'osv',
        id: 'PYSEC-1',
        aliases: ['GHSA-aaaa-bbbb-cccc'],
        severities: [
          { source: 'cvss-v3', level: 'medium', value: 'CVSS:3.1/AV:N', score: 5 },
          { source: 'ghsa', level: 'high', value: 'HIGH' },
        ],
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [
              { kind: 'introduced', version: '0' },
              { kind: 'fixed', version: '1.2.0' },
            ],
          },
        ],
      }),
      record({ source: 'other', id: 'OTHER-1' }),
    ];

    const { findings: found } = await matchInventory(
      { packages: [pkg('npm', 'left-pad', '1.1.0')] },
      lookup(records),
    );

    expect(found.map((f) => f.id)).toEqual(['CVE-2020-1', 'OTHER-1']);
    expect(found[0]).toMatchObject({
      aliases: ['GHSA-aaaa-bbbb-cccc', 'PYSEC-1'],
      fixedVersion: '1.2.0',
      severity: 'high',
      severitySource: 'ghsa',
      severities: [
        { source: 'ghsa', level: 'high', value: 'HIGH' },
        { source: 'cvss-v3', level: 'medium', value: 'CVSS:3.1/AV:N', score: 5 },
      ],
      sources: ['ghsa', 'osv'],
    });
  });

  it('counts a listed version as affected, and a range with no fix as no fix known', async () => {
    const records = [
      record({ id: 'MAL-1', ranges: [], versions: ['2.0.0'], status: 'affected' }),
      record({
        id: 'OPEN-1',
        ranges: [{ type: 'SEMVER', events: [{ kind: 'introduced', version: '1.5.0' }] }],
      }),
    ];

    const { findings: found } = await matchInventory(
      { packages: [pkg('npm', 'left-pad', '2.0.0')] },
      lookup(records),
    );

    expect(found.map((f) => [f.id, f.status, f.fixedVersion])).toEqual([
      ['MAL-1', 'affected', undefined],
      ['OPEN-1', 'affected', undefined],
    ]);
  });
});
