import type { VersionScheme } from '../model.js';
import { apk } from './apk.js';
import { composer } from './composer.js';
import { dpkg } from './dpkg.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { semver } from './semver.js';
import { InvalidVersionError, sign, type VersionOrdering } from './ordering.js';

const ORDERINGS: Record<VersionScheme, VersionOrdering> = {
  dpkg,
  apk,
  rpm,
  semver,
  pep440,
  maven,
  rubygems,
  composer,
  nuget,
};

/**
 * Orders two versions of one scheme: -1, 0 or 1. Throws InvalidVersionError, and nothing else,
 * when either cannot be ordered; tryCompareVersions and the range evaluators never throw.
 */
export function compareVersions(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 {
  const ordering = ORDERINGS[scheme];
  if (!ordering)
    throw new InvalidVersionError(scheme, a, `unknown version scheme "${String(scheme)}"`);

  return sign(ordering.compare(a, b));
}

/** Like compareVersions, but undefined when either version cannot be ordered. */
export function tryCompareVersions(
  scheme: VersionScheme,
  a: string,
  b: string,
): -1 | 0 | 1 | undefined {
  try {
    return compareVersions(scheme, a, b);
  } catch (error) {
    if (error instanceof InvalidVersionError) return undefined;
    throw error;
  }
}

/** Undefined when `version` can be ordered in `scheme`, otherwise the reason it cannot. */
export function versionProblem(scheme: VersionScheme, version: string): string | undefined {
  const ordering = ORDERINGS[scheme];
  if (!ordering) return `unknown version scheme "${String(scheme)}"`;
  if (typeof version !== 'string') return 'not a string';

  return ordering.problem(version);
}

export function isValidVersion(scheme: VersionScheme, version: string): boolean {
  return versionProblem(scheme, version) === undefined;
}
