// The inventory of the real Debian images built by scripts/build-test-images.sh, compared with
// the ground truth recorded at build time: dpkg-query run inside the debootstrapped rootfs
// (debian-bookworm/dpkg-query.tsv). debian-app adds layers on top of that rootfs without
// installing or removing packages, so the same list is its truth.

import { createReadStream, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyseImage,
  MemoryLayerCache,
  type ImageInventory,
} from '../../../../src/scan/inventory/index.js';
import { OciLayout } from '../../../support/oci-layout.js';
import { testImages, type TestImage } from '../../../support/tools.js';

// testImages() throws with the command to run when scripts/build-test-images.sh has not run:
// CI always builds them first, and a missing image must fail, not skip.
const images = testImages();
const bookworm = images['debian-bookworm'] as TestImage;
const app = images['debian-app'] as TestImage;

async function layersOf(image: TestImage): Promise<string[]> {
  const manifest = await new OciLayout(image.dir).json<{ layers: { digest: string }[] }>(
    image.digest,
  );

  return manifest.layers.map((layer) => layer.digest);
}

function analyse(
  image: TestImage,
  layers: string[],
  cache: MemoryLayerCache,
): Promise<ImageInventory> {
  const layout = new OciLayout(image.dir);

  return analyseImage({
    layers,
    openBlob: (digest) => Promise.resolve(createReadStream(layout.blobPath(digest))),
    cache,
  });
}

/** "name\tversion\tarch" of each package dpkg-query lists as installed. */
function groundTruth(): Set<string> {
  const file = path.join(bookworm.dir, 'dpkg-query.tsv');
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/build-test-images.sh`);

  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const installed = lines.map((line) => line.split('\t')).filter((row) => row[3] === 'installed');

  return new Set(installed.map((row) => row.slice(0, 3).join('\t')));
}

function accuracy(inventory: ImageInventory, truth: Set<string>) {
  const found = new Set(
    inventory.packages
      .filter((item) => item.type === 'deb')
      .map((item) => [item.name, item.version, item.arch].join('\t')),
  );
  const hits = [...found].filter((key) => truth.has(key)).length;

  return {
    recall: hits / truth.size,
    precision: hits / found.size,
    missed: [...truth].filter((key) => !found.has(key)),
    extra: [...found].filter((key) => !truth.has(key)),
  };
}

describe('inventory of the real test images', () => {
  const cache = new MemoryLayerCache();
  let truth: Set<string>;
  let base: ImageInventory;
  let baseLayers: string[];

  beforeAll(async () => {
    truth = groundTruth();
    baseLayers = await layersOf(bookworm);
    base = await analyse(bookworm, baseLayers, cache);
  });

  it('finds the packages dpkg-query reports in debian-bookworm', () => {
    const result = accuracy(base, truth);
    console.info(
      `debian-bookworm: ${truth.size} installed, recall ${result.recall}, precision ${result.precision}`,
    );

    expect(result.missed).toEqual([]);
    expect(result.extra).toEqual([]);
    expect(result.recall).toBeGreaterThanOrEqual(0.99);
    expect(result.precision).toBeGreaterThanOrEqual(0.99);
    expect(base.problems).toEqual([]);
  });

  it('names the OS and fills in sources, licences, files and purls', () => {
    expect(base.os).toMatchObject({ id: 'debian', versionId: '12', codename: 'bookworm' });

    const coreutils = base.packages.find((item) => item.name === 'coreutils');
    expect(coreutils).toMatchObject({
      type: 'deb',
      location: '/var/lib/dpkg/status',
      layerDigest: baseLayers[0],
      purl: expect.stringMatching(/^pkg:deb\/debian\/coreutils@.+\?arch=amd64&distro=debian-12$/),
    });
    expect(coreutils?.licenses).toContain('GPL-3+');
    // dpkg lists /bin/ls; the merged-/usr rootfs has it at /usr/bin/ls.
    expect(coreutils?.files).toContain('/usr/bin/ls');

    const withSource = base.packages.filter((item) => item.sourceName !== item.name);
    expect(withSource.length).toBeGreaterThan(10);
    expect(base.packages.filter((item) => item.licenses.length === 0).length).toBeLessThan(5);
  });

  it('reads only the new layers of debian-app, whose base it shares, and finds the same packages', async () => {
    const layers = await layersOf(app);
    expect(layers[0]).toBe(baseLayers[0]);

    const inventory = await analyse(app, layers, cache);

    expect(inventory.layers.map((layer) => layer.fromCache)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(accuracy(inventory, truth)).toMatchObject({ recall: 1, precision: 1 });
    expect(new Set(inventory.packages.map((item) => item.layerDigest))).toEqual(
      new Set([layers[0]]),
    );
    expect(inventory.problems).toEqual([]);
  });
});
