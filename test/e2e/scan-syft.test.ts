// Berth's package inventory against syft's, on every image scripts/build-test-images.sh builds:
// `berth scan` (the CLI, as users run it) and `syft scan` (the version that
// scripts/install-test-tools.sh pins, offline) read the same OCI layout, and their packages are
// compared by purl type, namespace, name and version. Every package one of them finds and the
// other does not must be listed, with its reason, in test/fixtures/scan/syft-differences.json;
// every entry there must still match a difference, so that the file cannot outlive what it
// explains. docs/scanning-accuracy.md describes each class of difference.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PackageURL } from 'packageurl-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  berthCommand,
  measure,
  scanImage,
  staleBuild,
  syftCommand,
  syftVersion,
  SYFT_OFFLINE_ENV,
  type ScanImage,
} from '../../bench/scan-tools.js';
import { openAdvisoryStore } from '../../src/scan/advisories/index.js';
import { repoRoot, tempDir } from '../support/server.js';

const IMAGES = ['debian-bookworm', 'debian-app', 'multiarch', 'scan-app', 'large'];
const DIFFERENCES = path.join(repoRoot, 'test', 'fixtures', 'scan', 'syft-differences.json');
const ACCURACY_DOC = path.join(repoRoot, 'docs', 'scanning-accuracy.md');

/** One side of test/fixtures/scan/syft-differences.json. */
interface Explanation {
  /** A purl without qualifiers; without a version it matches every version. */
  purl: string;
  /** The heading in docs/scanning-accuracy.md that describes this kind of difference. */
  class: string;
  reason: string;
}

interface ImageDifferences {
  syftOnly: Explanation[];
  berthOnly: Explanation[];
}

/** A package reduced to what the comparison looks at. */
interface Identity {
  type: string;
  namespace: string;
  name: string;
  version: string;
}

interface Found extends Identity {
  key: string;
  location: string;
}

interface SyftArtifact {
  type: string;
  name: string;
  version: string;
  purl?: string;
  locations: { path: string }[];
}

interface BerthPackage {
  type: string;
  name: string;
  version: string;
  purl: string;
  location: string;
}

/** syft's package types, as purl types, for artifacts that come without a purl. */
const SYFT_TYPES: Record<string, string> = {
  'go-module': 'golang',
  python: 'pypi',
  'java-archive': 'maven',
  'rust-crate': 'cargo',
  'php-composer': 'composer',
  dotnet: 'nuget',
};

let work: string;
let db: string;
let differences: Record<string, ImageDifferences>;

beforeAll(async () => {
  const stale = staleBuild(repoRoot);
  if (stale) throw new Error(stale);
  syftVersion(); // throws when syft is not installed

  work = tempDir('berth-scan-syft-');
  db = path.join(work, 'advisories.db');
  await (await openAdvisoryStore(db)).close();
  const file = JSON.parse(readFileSync(DIFFERENCES, 'utf8')) as {
    images: Record<string, ImageDifferences>;
  };
  differences = file.images;
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * A package as the comparison sees it. Go versions are compared without their prefix: Berth
 * writes the standard library's as a module version (v1.22.2), syft as the toolchain names it
 * (go1.22.2). PyPI names are compared in their normal form (PEP 503).
 */
function found(
  item: { type: string; purl?: string; name: string; version: string },
  location: string,
): Found {
  const parsed = item.purl ? PackageURL.fromString(item.purl) : undefined;
  const type = parsed?.type ?? SYFT_TYPES[item.type] ?? item.type;
  const name = parsed?.name ?? item.name;
  const id: Identity = {
    type,
    namespace: parsed?.namespace ?? '',
    name: type === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name,
    version: type === 'golang' ? item.version.replace(/^(go|v)(?=\d)/, '') : item.version,
  };
  const namespace = id.namespace ? `${id.namespace}/` : '';

  return { ...id, key: `pkg:${id.type}/${namespace}${id.name}@${id.version}`, location };
}

function collect(items: Found[]): Map<string, Found> {
  return new Map(items.map((item) => [item.key, item]));
}

async function berthPackages(image: ScanImage): Promise<Map<string, Found>> {
  const output = path.join(work, `${image.name}.berth.json`);
  const run = await measure(berthCommand(repoRoot, image, output, { format: 'json', db }));
  expect(run.code, run.stderr).toBe(0);

  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    packages: BerthPackage[];
    problems: { layerDigest?: string }[];
  };
  // Inventory problems name a layer; the empty advisory database's complaints do not.
  expect(report.problems.filter((problem) => problem.layerDigest)).toEqual([]);

  return collect(report.packages.map((item) => found(item, item.location)));
}

async function syftPackages(image: ScanImage): Promise<Map<string, Found>> {
  const output = path.join(work, `${image.name}.syft.json`);
  // syft unpacks the layers under TMPDIR: keep the gigabyte of the large image in this run's
  // folder, which is removed afterwards.
  const tmp = path.join(work, 'syft-tmp');
  mkdirSync(tmp, { recursive: true });
  const run = await measure(syftCommand(image, output), {
    cwd: work,
    env: { ...SYFT_OFFLINE_ENV, TMPDIR: tmp },
  });
  expect(run.code, run.stderr).toBe(0);

  const report = JSON.parse(readFileSync(output, 'utf8')) as { artifacts: SyftArtifact[] };

  return collect(
    report.artifacts.map((artifact) => found(artifact, artifact.locations[0]?.path ?? '')),
  );
}

/** Whether an entry of the differences file names a package. */
function explains(entry: Explanation, item: Found): boolean {
  const wanted = PackageURL.fromString(entry.purl);

  return (
    wanted.type === item.type &&
    (wanted.namespace ?? '') === item.namespace &&
    wanted.name === item.name &&
    (wanted.version === undefined || wanted.version === item.version)
  );
}

interface Side {
  unexplained: string[];
  stale: Explanation[];
  explained: number;
}

function judge(only: Found[], entries: Explanation[]): Side {
  const unexplained = only.filter((item) => !entries.some((entry) => explains(entry, item)));

  return {
    unexplained: unexplained.map((item) => `${item.key} at ${item.location}`),
    stale: entries.filter((entry) => !only.some((item) => explains(entry, item))),
    explained: only.length - unexplained.length,
  };
}

/** The anchor a Markdown heading gets on GitHub: lower case, punctuation dropped, dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function difference(a: Map<string, Found>, b: Map<string, Found>): Found[] {
  return [...a.values()].filter((item) => !b.has(item.key));
}

describe('berth scan against syft on the test images', () => {
  it('has an entry in the differences file for each image, and for no other', () => {
    expect(Object.keys(differences).sort()).toEqual([...IMAGES].sort());
  });

  it('names a section of docs/scanning-accuracy.md as the class of every entry', () => {
    const sections = new Set(
      [...readFileSync(ACCURACY_DOC, 'utf8').matchAll(/^#{2,4} (.+)$/gm)].map((match) =>
        anchorOf(match[1] as string),
      ),
    );
    const classes = Object.values(differences).flatMap((image) =>
      [...image.syftOnly, ...image.berthOnly].map((entry) => entry.class),
    );

    expect(classes.filter((name) => !sections.has(name))).toEqual([]);
  });

  it.each(IMAGES)(
    '%s: every difference is explained, every explanation still seen',
    async (name) => {
      const image = scanImage(name);
      const [berth, syft] = [await berthPackages(image), await syftPackages(image)];
      const explained = differences[name] as ImageDifferences;

      const syftOnly = judge(difference(syft, berth), explained.syftOnly);
      const berthOnly = judge(difference(berth, syft), explained.berthOnly);
      const shared = [...syft.keys()].filter((key) => berth.has(key)).length;
      console.info(
        `${name}: syft ${syft.size}, berth ${berth.size}, both ${shared}; ` +
          `recall vs syft ${(shared / syft.size).toFixed(3)}, ` +
          `with explained differences ${((shared + syftOnly.explained) / syft.size).toFixed(3)}; ` +
          `precision vs syft ${(shared / berth.size).toFixed(3)}`,
      );

      // A scan that found nothing would agree with anything.
      expect(syft.size).toBeGreaterThan(50);
      expect(berth.size).toBeGreaterThan(50);
      expect(syftOnly.unexplained, 'found by syft only, not explained').toEqual([]);
      expect(berthOnly.unexplained, 'found by Berth only, not explained').toEqual([]);
      expect(syftOnly.stale, 'explanations of syft-only packages no longer seen').toEqual([]);
      expect(berthOnly.stale, 'explanations of Berth-only packages no longer seen').toEqual([]);
    },
  );
});
