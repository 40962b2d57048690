// Findings for the real Debian test images (scripts/build-test-images.sh) against the advisory
// fixture set in test/fixtures/scan/advisories-expected, compared with the findings committed
// beside it. The fixture set covers, for packages the image has: unfixed issues, a fix Debian
// back-ported below the upstream fix (not reported), a "will not fix", a "not affected", the
// same issue from two sources, and an npm advisory for a name a Debian package also has.
//
// Set BERTH_UPDATE_EXPECTED=1 to rewrite the expected files after the test images were rebuilt
// with other package versions; review the diff before committing it.

import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAdvisoryStore, type AdvisoryStore } from '../../../../src/scan/advisories/index.js';
import { analyseImage, MemoryLayerCache } from '../../../../src/scan/inventory/index.js';
import { matchInventory, type Finding } from '../../../../src/scan/match/index.js';
import { OciLayout } from '../../../support/oci-layout.js';
import { testImages, type TestImage } from '../../../support/tools.js';
import { tempDir } from '../advisories/support.js';
import { expectedFixtures, importExpectedFixtures } from './support.js';

/** A finding as committed: the layer by its position in the manifest, not by digest. */
type ExpectedFinding = Omit<Finding, 'layerDigest'> & { layer: number };

const images = testImages();
const cache = new MemoryLayerCache();
let store: AdvisoryStore;

beforeAll(async () => {
  store = await openAdvisoryStore(path.join(tempDir(), 'advisories.db'));
  await importExpectedFixtures(store);
});

afterAll(async () => store?.close());

async function scan(image: TestImage): Promise<ExpectedFinding[]> {
  const layout = new OciLayout(image.dir);
  const manifest = await layout.json<{ layers: { digest: string }[] }>(image.digest);
  const layers = manifest.layers.map((layer) => layer.digest);
  const inventory = await analyseImage({
    layers,
    openBlob: (digest) => Promise.resolve(createReadStream(layout.blobPath(digest))),
    cache,
  });
  expect(inventory.problems).toEqual([]);

  const { findings, problems } = await matchInventory(inventory, store);
  expect(problems).toEqual([]);

  return findings.map(({ layerDigest, ...finding }) => ({
    ...finding,
    layer: layers.indexOf(layerDigest),
  }));
}

function expected(name: string, actual: ExpectedFinding[]): ExpectedFinding[] {
  const file = path.join(expectedFixtures, 'expected', `${name}.json`);
  if (process.env.BERTH_UPDATE_EXPECTED === '1' || !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  }

  return JSON.parse(readFileSync(file, 'utf8')) as ExpectedFinding[];
}

describe('findings for the real test images', () => {
  it.each(['debian-bookworm', 'debian-app'])(
    '%s gives exactly the expected findings',
    async (name) => {
      const actual = await scan(images[name] as TestImage);

      expect(actual).toEqual(expected(name, actual));
    },
  );

  it('reports unfixed, will-not-fix and multi-source issues, never back-ported or not-affected ones', async () => {
    const findings = await scan(images['debian-bookworm'] as TestImage);
    const ids = new Set(findings.map((f) => f.id));

    expect([...ids].sort()).toEqual([
      'CVE-2005-2541',
      'CVE-2010-4756',
      'CVE-2011-3374',
      'CVE-2023-45853',
    ]);
    // glibc, gnutls28 and perl carry Debian fixes at or below the installed version.
    for (const fixed of ['CVE-2023-4911', 'CVE-2024-0553', 'CVE-2023-31484', 'CVE-2024-3094']) {
      expect(ids.has(fixed)).toBe(false);
    }
    // The npm advisory for "tar" never reaches Debian's tar.
    expect(findings.some((f) => f.aliases.includes('GHSA-r628-mhmh-qjhw'))).toBe(false);

    const zlib = findings.find((f) => f.id === 'CVE-2023-45853');
    expect(zlib).toMatchObject({
      package: { name: 'zlib1g', sourceName: 'zlib' },
      status: 'will-not-fix',
      severity: 'critical',
      severitySource: 'cvss-v3',
      aliases: ['DEBIAN-CVE-2023-45853'],
      sources: ['debian', 'osv'],
    });
    expect(findings.filter((f) => f.id === 'CVE-2010-4756').map((f) => f.package.name)).toEqual([
      'libc-bin',
      'libc6',
    ]);
  });
});
