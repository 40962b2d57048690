// Whether an installed version is affected, from an advisory's version events. OSV's schema
// ("Evaluation" in the OSV schema document) defines the walk; distro feeds only give a fixed
// version.
import type { VersionScheme } from '../model.js';
import { InvalidVersionError } from './ordering.js';
import { compareVersions } from './compare.js';

/** One OSV range event; exactly one field is set. */
export interface RangeEvent {
  /** First affected version; "0" means before every version. */
  introduced?: string;
  /** First version that is no longer affected. */
  fixed?: string;
  /** Last affected version; later ones are taken as not affected. */
  last_affected?: string;
  /** Upper bound of the range, exclusive; "*" means none. */
  limit?: string;
}

/** A verdict never throws: a version or event that cannot be ordered gives `unknown`. */
export type AffectedVerdict =
  { result: 'affected' } | { result: 'not-affected' } | { result: 'unknown'; reason: string };

const AFFECTED: AffectedVerdict = { result: 'affected' };
const NOT_AFFECTED: AffectedVerdict = { result: 'not-affected' };

/**
 * Evaluates one OSV `ranges[]` entry of type ECOSYSTEM or SEMVER against `version`: outside
 * every limit is not affected; otherwise walk the events in version order, where an introduced
 * at or below the version switches "affected" on, a fixed at or below it switches it off, and
 * a last_affected below it switches it off.
 */
export function evaluateRange(
  scheme: VersionScheme,
  version: string,
  events: readonly RangeEvent[],
): AffectedVerdict {
  return guarded(() => {
    const compare = (a: string, b: string): number => compareVersions(scheme, a, b);
    compare(version, version);

    const limits = events.flatMap((e) =>
      e.limit === undefined || e.limit === '*' ? [] : [e.limit],
    );
    const unbounded = events.some((e) => e.limit === '*');
    if (limits.length > 0 && !unbounded && !limits.some((limit) => compare(version, limit) < 0)) {
      return NOT_AFFECTED;
    }

    const walk = sortEvents(events, compare);
    if (walk.length === 0) return { result: 'unknown', reason: 'range has no introduced event' };

    let affected = false;
    for (const event of walk) {
      if (event.introduced !== undefined) {
        if (event.introduced === '0' || compare(version, event.introduced) >= 0) affected = true;
      } else if (event.fixed !== undefined) {
        if (compare(version, event.fixed) >= 0) affected = false;
      } else if (event.last_affected !== undefined) {
        if (compare(version, event.last_affected) > 0) affected = false;
      }
    }

    return affected ? AFFECTED : NOT_AFFECTED;
  });
}

/**
 * The distro-feed check: affected when `version` sorts before `fixed`. No fixed version means
 * no fix yet (affected); "0" is Debian's and Alpine's way to say the release was never affected.
 */
export function isBeforeFixed(
  scheme: VersionScheme,
  version: string,
  fixed: string | undefined,
): AffectedVerdict {
  return guarded(() => {
    if (fixed === '0') return NOT_AFFECTED;
    if (fixed === undefined) {
      compareVersions(scheme, version, version);
      return AFFECTED;
    }

    return compareVersions(scheme, version, fixed) < 0 ? AFFECTED : NOT_AFFECTED;
  });
}

/**
 * The events that take part in the walk (limits are applied before it), in version order;
 * "0" sorts first, and events of equal version keep their order in the record.
 */
function sortEvents(
  events: readonly RangeEvent[],
  compare: (a: string, b: string) => number,
): RangeEvent[] {
  const walk = events.filter(
    (e) => e.introduced !== undefined || e.fixed !== undefined || e.last_affected !== undefined,
  );
  if (!walk.some((e) => e.introduced !== undefined)) return [];

  const at = (e: RangeEvent): string => (e.introduced ?? e.fixed ?? e.last_affected)!;
  const isZero = (e: RangeEvent): boolean => e.introduced === '0';

  return walk
    .map((event, index) => ({ event, index }))
    .sort((x, y) => {
      if (isZero(x.event) || isZero(y.event))
        return Number(isZero(y.event)) - Number(isZero(x.event)) || x.index - y.index;
      return compare(at(x.event), at(y.event)) || x.index - y.index;
    })
    .map(({ event }) => event);
}

function guarded(evaluate: () => AffectedVerdict): AffectedVerdict {
  try {
    return evaluate();
  } catch (error) {
    if (error instanceof InvalidVersionError) return { result: 'unknown', reason: error.message };
    throw error;
  }
}
