import { SEVERITY_LEVELS, type SeverityLevel } from '../advisories/index.js';
import { severityRank } from '../match/index.js';

/** Anything rated on Berth's severity scale: findings, secrets, config findings. */
interface Rated {
  severity: SeverityLevel;
}

/** Items per severity, every level present. */
export function countBySeverity(items: readonly Rated[]): Record<SeverityLevel, number> {
  const counts = Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, 0])) as Record<
    SeverityLevel,
    number
  >;
  for (const item of items) counts[item.severity]++;

  return counts;
}

/** Whether an item is at or above a threshold ("high" counts high and critical). */
export function atOrAbove(item: Rated, threshold: SeverityLevel): boolean {
  return severityRank(item.severity) <= severityRank(threshold);
}

/** Highest severity first; the sort is stable, so equal items keep their order. */
export function bySeverityRank(a: Rated, b: Rated): number {
  return severityRank(a.severity) - severityRank(b.severity);
}
