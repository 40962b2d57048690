import { SEVERITY_LEVELS, type AdvisoryStatus, type SeverityRating } from '../advisories/index.js';
import type { InventoryPackage, VersionScheme } from '../model.js';
import { lowest } from './assess.js';
import { findingPackage, type Finding, type Hit } from './finding.js';

/**
 * Turns the records that hit one package into findings. Records about the same issue (a CVE
 * from the tracker, its GHSA, osv.dev's DEBIAN-CVE copy) make one finding.
 */
export function findingsOf(item: InventoryPackage, scheme: VersionScheme, hits: Hit[]): Finding[] {
  return groupByIssue(hits).map((group) => finding(item, scheme, group));
}

/**
 * The issue a record is about is the CVE it names, when it names exactly one. Aliases are not
 * followed from one record to the next: an announcement (DSA-5523-1, a USN) names several
 * CVEs, and following it would merge distinct issues. A record naming no single CVE joins the
 * record whose own id it lists among its aliases, or stands alone under its own id.
 */
function groupByIssue(hits: Hit[]): Hit[][] {
  const keys = new Map<Hit, string>();
  const byId = new Map(hits.map((hit) => [hit.record.id, hit]));

  for (const hit of hits) {
    const cves = new Set([hit.record.id, ...hit.record.aliases].filter(isCve));
    keys.set(hit, cves.size === 1 ? [...cves][0]! : hit.record.id);
  }
  for (const hit of hits) {
    if (isCve(keys.get(hit)!)) continue;
    const named = hit.record.aliases.map((alias) => byId.get(alias)).find((h) => h && h !== hit);
    if (named) keys.set(hit, keys.get(named)!);
  }

  const groups = new Map<string, Hit[]>();
  for (const hit of hits) {
    const key = keys.get(hit)!;
    groups.set(key, [...(groups.get(key) ?? []), hit]);
  }

  return [...groups.values()];
}

function isCve(id: string): boolean {
  return /^CVE-\d+-\d+$/.test(id);
}

function finding(item: InventoryPackage, scheme: VersionScheme, hits: Hit[]): Finding {
  const ids = [...new Set(hits.flatMap((h) => [h.record.id, ...h.record.aliases]))];
  const id = primaryId(ids, hits[0]!.record.id);
  const decisive = decisiveHit(hits);
  const severities = mergedRatings(hits.map((h) => h.record.severities));
  const chosen = severities.find((r) => r.level !== 'unknown');
  const summary = hits.find((h) => h.record.summary)?.record.summary;
  const note = decisive.record.note ?? hits.find((h) => h.record.note)?.record.note;
  const fixedVersion = hits.reduce<string | undefined>(
    (best, h) => lowest(scheme, h.fixedVersion, best),
    undefined,
  );

  return {
    id,
    aliases: ids.filter((other) => other !== id).sort(),
    ...(summary && { summary }),
    package: findingPackage(item),
    installedVersion: item.version,
    ...(decisive.status === 'fixed' && fixedVersion && { fixedVersion }),
    status: decisive.status,
    severity: chosen?.level ?? 'unknown',
    ...(chosen && { severitySource: chosen.source }),
    severities,
    ...(note && { note }),
    layerDigest: item.layerDigest,
    sources: [...new Set(hits.map((h) => h.record.source))].sort(),
  };
}

/** A CVE names the issue across every source; without one, the first record's own id. */
function primaryId(ids: string[], first: string): string {
  const cves = ids.filter(isCve).sort();

  return cves[0] ?? first;
}

/**
 * When sources disagree on the status, a known fix wins (it is what a user can act on), then
 * a vendor's decision about the issue, then a plain "affected"; ties go to the first record.
 */
const STATUS_RANK: Record<AdvisoryStatus, number> = {
  fixed: 0,
  'will-not-fix': 1,
  deferred: 1,
  affected: 2,
};

function decisiveHit(hits: Hit[]): Hit {
  return hits.reduce((best, h) => (STATUS_RANK[h.status] < STATUS_RANK[best.status] ? h : best));
}

/**
 * Every source's ratings, once each: vendor labels first, then scored CVSS v3 vectors, then
 * vectors Berth does not score, as each record already orders its own.
 */
function mergedRatings(lists: SeverityRating[][]): SeverityRating[] {
  const seen = new Set<string>();
  const unique = lists.flat().filter((r) => {
    const key = `${r.source}\u0000${r.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const rank = (r: SeverityRating) =>
    r.source === 'cvss-v3' ? 1 : r.source.startsWith('cvss') ? 2 : 0;

  return unique
    .map((rating, index) => ({ rating, index }))
    .sort((a, b) => rank(a.rating) - rank(b.rating) || a.index - b.index)
    .map(({ rating }) => rating);
}

/** Severity levels highest first, for sorting and thresholds. */
export function severityRank(level: Finding['severity']): number {
  return SEVERITY_LEVELS.indexOf(level);
}
