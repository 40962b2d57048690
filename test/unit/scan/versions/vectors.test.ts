// Checks every comparator against the pairs its reference implementation ordered
// (test/fixtures/versions/, written by scripts/generate-version-vectors.sh).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VersionScheme } from '../../../../src/scan/model.js';
import { compareVersions, isValidVersion } from '../../../../src/scan/versions/index.js';

const FIXTURES = new URL('../../../fixtures/versions/', import.meta.url);

const SCHEMES: VersionScheme[] = [
  'dpkg',
  'apk',
  'rpm',
  'semver',
  'pep440',
  'maven',
  'rubygems',
  'composer',
  'nuget',
];

/** The rows of a generated TSV file, comments left out. */
function rows(file: string): string[][] {
  return readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

interface Vector {
  a: string;
  b: string;
  sign: -1 | 0 | 1;
}

function vectors(scheme: VersionScheme): Vector[] {
  return rows(`${scheme}.tsv`).map(([a, b, sign]) => ({
    a: a!,
    b: b!,
    sign: Number(sign) as Vector['sign'],
  }));
}

/** Every vector that the comparator gets wrong, in either direction, as readable lines. */
function mismatches(scheme: VersionScheme, list: Vector[]): string[] {
  const wrong: string[] = [];
  for (const { a, b, sign } of list) {
    const forward = compareVersions(scheme, a, b);
    const backward = compareVersions(scheme, b, a);
    if (forward !== sign || backward !== -sign) {
      wrong.push(`${a} vs ${b}: expected ${sign}, got ${forward} (reversed ${backward})`);
    }
  }

  return wrong;
}

/**
 * Sorts every version of the vectors and checks that the sorted order agrees with each pair:
 * a comparator that is not a consistent total order (not transitive, say) fails here even when
 * each pair on its own is right. Versions that compare equal share a rank.
 */
function orderViolations(scheme: VersionScheme, list: Vector[]): string[] {
  const versions = [...new Set(list.flatMap(({ a, b }) => [a, b]))];
  const sorted = versions.sort((x, y) => compareVersions(scheme, x, y));

  const rank = new Map<string, number>();
  sorted.forEach((version, i) => {
    const previous = sorted[i - 1];
    const same = previous !== undefined && compareVersions(scheme, previous, version) === 0;
    rank.set(version, same ? rank.get(previous)! : i);
  });

  return list
    .filter(({ a, b, sign }) => Math.sign(rank.get(a)! - rank.get(b)!) !== sign)
    .map(
      ({ a, b, sign }) =>
        `${a} vs ${b}: expected ${sign}, sorted ranks ${rank.get(a)} and ${rank.get(b)}`,
    );
}

describe.each(SCHEMES)('%s test vectors', (scheme) => {
  const list = vectors(scheme);

  it('has a few hundred pairs at least', () => {
    expect(list.length).toBeGreaterThanOrEqual(300);
  });

  it('orders every pair as the reference does, both ways round', () => {
    expect(mismatches(scheme, list)).toEqual([]);
  });

  it('finds each version equal to itself', () => {
    const unequal = [...new Set(list.flatMap(({ a, b }) => [a, b]))].filter(
      (version) => compareVersions(scheme, version, version) !== 0,
    );
    expect(unequal).toEqual([]);
  });

  // Maven's ComparableVersion is itself not transitive (see the maven test below), so sorting
  // Maven versions cannot keep every pair in place; that scheme has no such test at all.
  if (scheme !== 'maven') {
    it('is a consistent order: sorting all versions keeps every pair in place', () => {
      expect(orderViolations(scheme, list)).toEqual([]);
    });
  }

  // Maven and NuGet accept any string as a version, so they have no validity vectors.
  const validity = `${scheme}-validity.tsv`;
  if (existsSync(new URL(validity, FIXTURES))) {
    it('accepts and refuses versions as the reference does', () => {
      const wrong = rows(validity)
        .filter(([version, verdict]) => isValidVersion(scheme, version!) !== (verdict === 'valid'))
        .map(([version, verdict]) => `${JSON.stringify(version)} should be ${verdict}`);
      expect(wrong).toEqual([]);
    });
  }
});

describe('maven', () => {
  it('reproduces the cycle in ComparableVersion (checked with maven-artifact 3.9.16)', () => {
    expect(compareVersions('maven', '1-alpha', '1-ga')).toBe(-1);
    expect(compareVersions('maven', '1-ga', '1.x-alpha-1')).toBe(-1);
    expect(compareVersions('maven', '1.x-alpha-1', '1-alpha')).toBe(-1);
  });
});
