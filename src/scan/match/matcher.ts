// Joins an image's inventory with the advisory database. OS packages are looked up only in
// their own distribution release, by source package, and compared by source version with the
// distribution's ordering: a fix the distribution back-ported shows as a fixed version at or
// below the installed one, never as an upstream range. Language packages are looked up in
// their ecosystem's advisories by name. Nothing is matched across the two (no NVD or CPE
// ranges), which is what keeps back-ports from being reported.

import type { PackageAdvisory } from '../advisories/index.js';
import { distributionOf, ECOSYSTEM_OF } from '../advisories/index.js';
import {
  VERSION_SCHEME,
  type InventoryPackage,
  type OperatingSystem,
  type VersionScheme,
} from '../model.js';
import { assess } from './assess.js';
import type { AdvisoryLookup, Finding, Hit, MatchProblem, MatchResult } from './finding.js';
import { findingsOf, severityRank } from './group.js';

const OS_TYPES = new Set<InventoryPackage['type']>(['deb', 'apk', 'rpm']);

export interface MatchInput {
  os?: OperatingSystem;
  packages: readonly InventoryPackage[];
}

export async function matchInventory(
  inventory: MatchInput,
  advisories: AdvisoryLookup,
): Promise<MatchResult> {
  const problems: MatchProblem[] = [];
  const lookup = await recordLookup(inventory, advisories, problems);
  const findings: Finding[] = [];

  for (const item of inventory.packages) {
    const records = await lookup(item);
    if (records.length === 0) continue;

    const scheme = VERSION_SCHEME[item.type];
    const version = comparedVersion(item);
    const hits = hitsOf(item, scheme, version, records, problems);
    findings.push(...findingsOf(item, scheme, hits));
  }

  return { findings: findings.sort(byPackageThenId), problems };
}

type RecordLookup = (item: InventoryPackage) => Promise<PackageAdvisory[]>;

/**
 * How each package finds its records. OS packages of an unknown or never-imported
 * distribution are not looked up, and the problem says so once.
 */
async function recordLookup(
  inventory: MatchInput,
  advisories: AdvisoryLookup,
  problems: MatchProblem[],
): Promise<RecordLookup> {
  const hasOsPackages = inventory.packages.some((item) => OS_TYPES.has(item.type));
  const distribution = inventory.os && distributionOf(inventory.os);
  let osReady = false;

  if (hasOsPackages && !distribution) {
    problems.push({
      kind: 'distribution-unknown',
      detail: `the image's operating system (${describeOs(inventory.os)}) is not one Berth can look up advisories for; its OS packages were not checked`,
    });
  } else if (hasOsPackages && distribution) {
    osReady = await advisories.covers(distribution.distro, distribution.release);
    if (!osReady) {
      const name = `${distribution.distro} ${distribution.release}`.trim();
      problems.push({
        kind: 'distribution-not-imported',
        detail: `no advisories for ${name} have been imported; its OS packages were not checked`,
      });
    }
  }

  // Binary packages built from one source (libc6, libc-bin) share its records.
  const bySource = new Map<string, Promise<PackageAdvisory[]>>();

  return (item) => {
    if (OS_TYPES.has(item.type)) {
      if (!osReady || !distribution) return Promise.resolve([]);
      const source = item.sourceName ?? item.name;
      const cached = bySource.get(source);
      if (cached) return cached;

      const records = advisories.forDistributionPackage(
        distribution.distro,
        distribution.release,
        source,
      );
      bySource.set(source, records);
      return records;
    }

    const ecosystem = ECOSYSTEM_OF[item.type];
    return ecosystem ? advisories.forEcosystemPackage(ecosystem, item.name) : Promise.resolve([]);
  };
}

/** Distribution advisories are per source package, so the source version is what they name. */
function comparedVersion(item: InventoryPackage): string {
  return OS_TYPES.has(item.type) ? (item.sourceVersion ?? item.version) : item.version;
}

function hitsOf(
  item: InventoryPackage,
  scheme: VersionScheme,
  version: string,
  records: PackageAdvisory[],
  problems: MatchProblem[],
): Hit[] {
  const hits: Hit[] = [];
  const unordered: string[] = [];

  for (const record of records) {
    const assessment = assess(record, scheme, version);
    if (assessment.result === 'affected') hits.push(assessment.hit);
    if (assessment.result === 'unknown') unordered.push(`${record.id} (${assessment.reason})`);
  }

  if (unordered.length > 0) {
    problems.push({
      kind: 'version-unordered',
      purl: item.purl,
      detail: `${item.name} ${item.version}: could not evaluate ${unordered.join(', ')}`,
    });
  }

  return hits;
}

function describeOs(os: OperatingSystem | undefined): string {
  if (!os) return 'not detected';

  return [os.id, os.versionId].filter(Boolean).join(' ');
}

function byPackageThenId(a: Finding, b: Finding): number {
  return (
    order(a.package.name, b.package.name) ||
    order(a.package.location, b.package.location) ||
    order(a.installedVersion, b.installedVersion) ||
    order(a.id, b.id)
  );
}

/** Highest severity first, then by package and id: the order people read reports in. */
export function bySeverity(a: Finding, b: Finding): number {
  return severityRank(a.severity) - severityRank(b.severity) || byPackageThenId(a, b);
}

/** Code-unit order, the same whatever the locale. */
function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
