import type { PackageAdvisory, RangeEvent as StoredEvent } from '../advisories/index.js';
import type { VersionScheme } from '../model.js';
import { evaluateRange, tryCompareVersions, type RangeEvent } from '../versions/index.js';
import type { Hit } from './finding.js';

/** What one advisory record says about one installed version. */
export type Assessment =
  | { result: 'affected'; hit: Hit }
  | { result: 'not-affected' }
  | { result: 'unknown'; reason: string };

/**
 * Whether `version` is affected by the record: listed among its `versions`, or inside one of
 * its ranges (OSV's evaluation, with the package's own ordering for ECOSYSTEM ranges and
 * SemVer for SEMVER ones). A range that cannot be ordered makes the answer unknown only when
 * no other range or listed version says affected.
 */
export function assess(
  record: PackageAdvisory,
  scheme: VersionScheme,
  version: string,
): Assessment {
  let unknown: string | undefined;
  let affected = record.versions.includes(version);
  let fixedVersion: string | undefined;

  for (const range of record.ranges) {
    const rangeScheme = range.type === 'SEMVER' ? 'semver' : scheme;
    const events = range.events.map(osvEvent);
    const verdict = evaluateRange(rangeScheme, version, events);
    if (verdict.result === 'unknown') unknown ??= verdict.reason;
    if (verdict.result !== 'affected') continue;

    affected = true;
    fixedVersion = lowest(rangeScheme, nextFix(rangeScheme, version, range.events), fixedVersion);
  }

  if (affected) return { result: 'affected', hit: hitOf(record, fixedVersion) };
  if (unknown !== undefined) return { result: 'unknown', reason: unknown };

  return { result: 'not-affected' };
}

/**
 * A record's status is about the package as a whole; for one installed version, a range with
 * no fix above it means no fix is known for this version yet, whatever other ranges say.
 * Vendor decisions (will-not-fix, deferred) stand as they are.
 */
function hitOf(record: PackageAdvisory, fixedVersion: string | undefined): Hit {
  if (record.status === 'will-not-fix' || record.status === 'deferred') {
    return { record, status: record.status };
  }

  return fixedVersion === undefined
    ? { record, status: 'affected' }
    : { record, status: 'fixed', fixedVersion };
}

function osvEvent(event: StoredEvent): RangeEvent {
  return { [event.kind]: event.version };
}

/** The first `fixed` event above the installed version: the smallest upgrade that fixes it. */
function nextFix(
  scheme: VersionScheme,
  version: string,
  events: readonly StoredEvent[],
): string | undefined {
  let best: string | undefined;
  for (const event of events) {
    if (event.kind !== 'fixed' || tryCompareVersions(scheme, event.version, version) !== 1)
      continue;
    best = lowest(scheme, event.version, best);
  }

  return best;
}

export function lowest(
  scheme: VersionScheme,
  a: string | undefined,
  b: string | undefined,
): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;

  return tryCompareVersions(scheme, a, b) === 1 ? b : a;
}
