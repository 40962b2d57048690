import type {
  AdvisoryStatus,
  PackageAdvisory,
  SeverityLevel,
  SeverityRating,
} from '../advisories/index.js';
import type { InventoryPackage, PackageType } from '../model.js';

/** The package a finding is about, as the inventory named it. */
export interface FindingPackage {
  type: PackageType;
  name: string;
  purl: string;
  /** The file the package was read from. */
  location: string;
  /** OS packages: the source package whose advisories matched, when its name differs. */
  sourceName?: string;
  /** OS packages: the source version that was compared, when it differs from the installed one. */
  sourceVersion?: string;
}

/**
 * One vulnerability of one installed package. Records from several sources about the same
 * issue (a CVE, its DSA, its GHSA) are one finding, shown under the CVE when there is one.
 */
export interface Finding {
  id: string;
  /** Every other id the records give the issue, sorted. */
  aliases: string[];
  summary?: string;
  package: FindingPackage;
  installedVersion: string;
  /** The lowest version that fixes it, in the package's own version syntax. */
  fixedVersion?: string;
  /**
   * `fixed`: a fixed version exists (and is not installed); `affected`: no fix is known yet;
   * `will-not-fix` and `deferred`: the vendor decided not to fix it, or not yet.
   */
  status: AdvisoryStatus;
  severity: SeverityLevel;
  /** Whose rating `severity` is: a vendor ("debian", "ghsa") or "cvss-v3". */
  severitySource?: string;
  /** Every rating the records give, vendors' labels first. */
  severities: SeverityRating[];
  /** The vendor's reason for its status, e.g. "Minor issue". */
  note?: string;
  /** The layer that introduced the package. */
  layerDigest: string;
  /** The advisory sources (import names) the records came from, sorted. */
  sources: string[];
}

export type MatchProblemKind =
  /** The image's OS is unknown or not one whose advisories Berth can look up. */
  | 'distribution-unknown'
  /** No advisory in the database names the image's distribution release. */
  | 'distribution-not-imported'
  /** A version (installed or in an advisory) its scheme cannot order. */
  | 'version-unordered';

export interface MatchProblem {
  kind: MatchProblemKind;
  /** The package concerned, when there is one: its purl. */
  purl?: string;
  detail: string;
}

export interface MatchResult {
  findings: Finding[];
  problems: MatchProblem[];
}

/** What the matcher asks the advisory database; AdvisoryStore answers it. */
export interface AdvisoryLookup {
  forDistributionPackage(
    distro: string,
    release: string,
    sourcePackage: string,
  ): Promise<PackageAdvisory[]>;
  forEcosystemPackage(ecosystem: string, name: string): Promise<PackageAdvisory[]>;
  covers(ecosystem: string, release: string): Promise<boolean>;
}

/** A record that applies to the installed version, and what it says about this version. */
export interface Hit {
  record: PackageAdvisory;
  status: AdvisoryStatus;
  fixedVersion?: string;
}

export function findingPackage(item: InventoryPackage): FindingPackage {
  const source = item.sourceName !== undefined && item.sourceName !== item.name;
  const sourceVersion = item.sourceVersion !== undefined && item.sourceVersion !== item.version;

  return {
    type: item.type,
    name: item.name,
    purl: item.purl,
    location: item.location,
    ...(source && { sourceName: item.sourceName }),
    ...(sourceVersion && { sourceVersion: item.sourceVersion }),
  };
}
