import type { AdvisoryStatus, AffectedPackage, RangeEvent } from './model.js';
import { labelRating } from './severity.js';

/** What the Debian data says about one source package in one release. */
export interface Verdict {
  status: AdvisoryStatus;
  /** The Debian version that fixed it, for `fixed`. */
  fixed?: string;
  note?: string;
}

/**
 * A Debian record in the shared model: every version before the fixed one is affected, or
 * every version when there is no fix. The tracker's urgency is the vendor's severity.
 */
export function debianPackage(
  release: string,
  sourcePackage: string,
  verdict: Verdict,
  urgency: string | null | undefined,
): AffectedPackage {
  const events: RangeEvent[] = [{ kind: 'introduced', version: '0' }];
  if (verdict.fixed) events.push({ kind: 'fixed', version: verdict.fixed });

  return {
    ecosystem: 'debian',
    release,
    name: sourcePackage,
    status: verdict.status,
    ranges: [{ type: 'ECOSYSTEM', events }],
    versions: [],
    severities: urgency ? [labelRating('debian', urgency)] : [],
    note: verdict.note,
  };
}
