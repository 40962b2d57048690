// The one advisory model every importer produces. OSV's shape is the starting point because it
// is the richest; distribution feeds fill the same fields with their own vocabulary mapped onto
// ours (docs/advisories.md has the tables).

/** The file formats `berth advisories import` reads. */
export type AdvisoryFormat = 'osv' | 'debian' | 'alpine';

export const ADVISORY_FORMATS: readonly AdvisoryFormat[] = ['osv', 'debian', 'alpine'];

/**
 * What the vendor says about a package. `fixed` and `affected` say whether a fixed version
 * exists (the ranges tell which versions are vulnerable); `will-not-fix` and `deferred` are
 * vendor decisions about a known, unfixed issue.
 */
export type AdvisoryStatus = 'affected' | 'fixed' | 'will-not-fix' | 'deferred';

export const ADVISORY_STATUSES: readonly AdvisoryStatus[] = [
  'affected',
  'fixed',
  'will-not-fix',
  'deferred',
];

/** Severity levels, highest first. `negligible` is Debian's "unimportant". */
export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';

export const SEVERITY_LEVELS: readonly SeverityLevel[] = [
  'critical',
  'high',
  'medium',
  'low',
  'negligible',
  'unknown',
];

/** One source's opinion of how severe an advisory is for a package. */
export interface SeverityRating {
  /** Who rated it: a vendor ("debian", "ghsa", …) or a scoring system ("cvss-v3", "cvss-v4"). */
  source: string;
  level: SeverityLevel;
  /** The rating as the source wrote it: an urgency, a label or a CVSS vector. */
  value: string;
  /** The CVSS base score, when Berth computed one from the vector. */
  score?: number;
}

/** An OSV range event. `last_affected` is inclusive; `limit` is an exclusive upper bound. */
export interface RangeEvent {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  version: string;
}

/**
 * Affected versions between events, ordered by the package's own version scheme (ECOSYSTEM) or
 * by SemVer (SEMVER). OSV's GIT ranges name commits, which installed packages do not carry, so
 * they are not kept.
 */
export interface VersionRange {
  type: 'ECOSYSTEM' | 'SEMVER';
  events: RangeEvent[];
}

/** One package an advisory applies to, in one ecosystem or distribution release. */
export interface AffectedPackage {
  /**
   * A language ecosystem as OSV spells it (npm, PyPI, Go, Maven, RubyGems, crates.io, …), or
   * a distribution's os-release id (debian, alpine, ubuntu, …).
   */
  ecosystem: string;
  /** The distribution release ("bookworm", "3.20"); empty for language ecosystems. */
  release: string;
  /** The package name; for distributions, the source package. */
  name: string;
  purl?: string;
  status: AdvisoryStatus;
  ranges: VersionRange[];
  /** Versions named one by one as affected (OSV `versions`). */
  versions: string[];
  /** Every rating the sources give, the vendor's first. */
  severities: SeverityRating[];
  /** The vendor's reason for its status, e.g. "Minor issue". */
  note?: string;
}

export interface Advisory {
  /** CVE-…, GHSA-…, TEMP-…, ALPINE-…: the id the source files it under. */
  id: string;
  aliases: string[];
  summary?: string;
  details?: string;
  /** Milliseconds since the epoch. Debian and Alpine data carry no dates. */
  published?: number;
  modified?: number;
  /** Set on OSV records that were withdrawn; such records are not stored. */
  withdrawn?: number;
  affected: AffectedPackage[];
}
