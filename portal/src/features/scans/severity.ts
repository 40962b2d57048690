import './severity.css';
import type { AdvisoryStatus, SeverityLevel } from '../../api/types';

// The words and colours of scan results, shared by the badges, filters and the chart.

export { severityLevels } from '../../api/types';

/** The colour of a severity in the current scheme (severity.css): for fills and chart lines. */
export function severityColor(level: SeverityLevel): string {
  return `var(--severity-${level})`;
}

/** The text colour on a severity's fill. */
export const severityTextColor = 'var(--severity-text)';

/** What each advisory status means for the person reading the table (docs/scanning.md). */
export const statusLabels: Record<AdvisoryStatus, string> = {
  fixed: 'fix available',
  affected: 'no fix yet',
  'will-not-fix': 'will not fix',
  deferred: 'fix deferred',
};
