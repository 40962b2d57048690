import { SEVERITY_LEVELS, type SeverityLevel } from '../advisories/index.js';
import type { Finding } from '../match/index.js';
import { severityRank } from '../match/index.js';

/** Findings per severity, every level present. */
export function countBySeverity(findings: readonly Finding[]): Record<SeverityLevel, number> {
  const counts = Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, 0])) as Record<
    SeverityLevel,
    number
  >;
  for (const finding of findings) counts[finding.severity]++;

  return counts;
}

/** Whether a finding is at or above a threshold ("high" counts high and critical). */
export function atOrAbove(finding: Finding, threshold: SeverityLevel): boolean {
  return severityRank(finding.severity) <= severityRank(threshold);
}
