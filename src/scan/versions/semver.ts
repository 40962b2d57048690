// Semantic Versioning 2.0.0 precedence (semver.org §11), for npm, Go modules and crates.io.
// Parsing is npm's (the `semver` package, strict mode), which also takes a leading `v`.
import semverPackage, { type SemVer } from 'semver';
import { checkLength, InvalidVersionError, problemOf, type VersionOrdering } from './ordering.js';

const { parse: parseSemver, compare: compareSemver } = semverPackage;

/**
 * Go's golang.org/x/mod/semver also accepts `vMAJOR` and `vMAJOR.MINOR` as shorthands for
 * `vMAJOR.0.0` and `vMAJOR.MINOR.0`; npm does not, but nothing is lost by taking them.
 */
const SHORTHAND = /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;

function parse(version: string): SemVer {
  checkLength('semver', version);

  const shorthand = SHORTHAND.exec(version);
  const text = shorthand ? `${shorthand[1]}.${shorthand[2] ?? '0'}.0` : version;
  const parsed = parseSemver(text);
  if (!parsed) throw new InvalidVersionError('semver', version, 'not a semantic version');

  // Build metadata (Go's +incompatible among it) is kept by parse and ignored by compare.
  return parsed;
}

function compare(a: string, b: string): number {
  return compareSemver(parse(a), parse(b));
}

export const semver: VersionOrdering = { problem: problemOf(parse), compare };
