// The inventory of scan-app (scripts/build-test-images.sh) against what its build installed,
// ecosystem by ecosystem: Debian packages from the built image's own dpkg-query, npm packages
// from the lock file `npm ci` installed, Python distributions from the pinned requirements pip
// installed, Go modules from `go version -m` of the two binaries. Recall and precision must
// each reach 99%; the sets are small enough that this means every package.

import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseImage, type ImageInventory } from '../../../../src/scan/inventory/index.js';
import type { PackageType } from '../../../../src/scan/model.js';
import { OciLayout } from '../../../support/oci-layout.js';
import { repoRoot } from '../../../support/server.js';
import { testImages } from '../../../support/tools.js';

const image = testImages()['scan-app']!;
const sources = path.join(repoRoot, 'test', 'images', 'scan-app');

let inventory: ImageInventory;

beforeAll(async () => {
  const layout = new OciLayout(image.dir);
  const manifest = await layout.json<{ layers: { digest: string }[] }>(image.digest);
  inventory = await analyseImage({
    layers: manifest.layers.map((layer) => layer.digest),
    openBlob: (digest) => Promise.resolve(createReadStream(layout.blobPath(digest))),
  });
});

/** "name version" of every package the build put in the image, by type. */
const truth: Partial<Record<PackageType, () => Set<string>>> = {
  deb: () =>
    new Set(
      lines(path.join(image.dir, 'dpkg-query.tsv'))
        .map((line) => line.split('\t'))
        .filter((row) => row[3] === 'installed')
        .map((row) => `${row[0]} ${row[1]}`),
    ),
  npm: () => {
    const lock = JSON.parse(readFileSync(path.join(sources, 'node', 'package-lock.json'), 'utf8'));
    const entries = Object.entries(lock.packages as Record<string, { version: string }>);

    return new Set(
      entries
        .filter(([where]) => where.includes('node_modules/'))
        .map(([where, { version }]) => `${where.split('node_modules/').pop()} ${version}`),
    );
  },
  pypi: () =>
    new Set(
      lines(path.join(sources, 'python', 'requirements.txt'))
        .filter((line) => !line.startsWith('#'))
        .map((line) => line.replace('==', ' ')),
    ),
  golang: () => {
    const text = readFileSync(path.join(image.dir, 'go-version-m.txt'), 'utf8');
    const deps = [...text.matchAll(/^\tdep\t(\S+)\t(\S+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    const go = /: go(\d+\.\d+(?:\.\d+)?)/.exec(text)![1];
    // A main module built outside version control is "(devel)"; the version the build stamped
    // with -ldflags "-X main.version=…" is the one to report, and a build without it has none.
    const main = /^\tmod\t(\S+)\t\(devel\)/m.exec(text)![1];
    const stamped = [...text.matchAll(/-X main\.version=([\w.]+)/g)].map((m) => `${main} v${m[1]}`);

    return new Set([...deps, ...stamped, `stdlib v${go}`]);
  },
};

describe('scan-app against what its build installed', () => {
  it.each(Object.keys(truth) as PackageType[])('finds the %s packages', (type) => {
    const expected = truth[type]!();
    const found = new Set(
      inventory.packages.filter((p) => p.type === type).map((p) => `${p.name} ${p.version}`),
    );
    const hits = [...found].filter((key) => expected.has(key)).length;

    expect(expected.size).toBeGreaterThan(0);
    expect({
      missed: [...expected].filter((key) => !found.has(key)),
      extra: [...found].filter((key) => !expected.has(key)),
    }).toEqual({ missed: [], extra: [] });
    expect(hits / expected.size).toBeGreaterThanOrEqual(0.99);
    expect(hits / found.size).toBeGreaterThanOrEqual(0.99);
  });

  it('reads every layer whole', () => {
    expect(inventory.problems).toEqual([]);
  });
});

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n');
}
