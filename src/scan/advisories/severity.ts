import { cvss3BaseScore } from './cvss.js';
import type { SeverityLevel, SeverityRating } from './model.js';

/**
 * Vendor labels to levels. Debian urgencies carry trailing asterisks when the tracker is unsure
 * ("low**"); "not yet assigned" and "end-of-life" say nothing about severity.
 */
const labels: Record<string, SeverityLevel> = {
  critical: 'critical',
  important: 'high',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'negligible',
  unimportant: 'negligible',
};

export function levelFromLabel(label: string): SeverityLevel {
  const key = label.trim().toLowerCase().replace(/\*+$/, '');

  return labels[key] ?? 'unknown';
}

/**
 * CVSS qualitative ratings: 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical; a
 * score of 0 ("none") is the closest thing to negligible.
 */
export function levelFromScore(score: number): SeverityLevel {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';

  return 'negligible';
}

export function labelRating(source: string, label: string): SeverityRating {
  return { source, level: levelFromLabel(label), value: label };
}

/**
 * A rating from an OSV severity entry. CVSS v3 vectors are scored; v2 and v4 vectors are kept
 * as written with an unknown level, so they never outrank a vendor's label.
 */
export function vectorRating(type: string, vector: string): SeverityRating {
  if (type === 'CVSS_V3') {
    const score = cvss3BaseScore(vector);
    return score === undefined
      ? { source: 'cvss-v3', level: 'unknown', value: vector }
      : { source: 'cvss-v3', level: levelFromScore(score), value: vector, score };
  }
  if (type === 'Ubuntu') return labelRating('ubuntu', vector);

  return { source: type.toLowerCase().replace('_', '-'), level: 'unknown', value: vector };
}

/** The first rating with a known level, in the order the sources were ranked. */
export function chooseSeverity(ratings: SeverityRating[]): {
  level: SeverityLevel;
  source?: string;
} {
  const chosen = ratings.find((r) => r.level !== 'unknown');

  return chosen ? { level: chosen.level, source: chosen.source } : { level: 'unknown' };
}
