import { Badge, Group, Text } from '@mantine/core';
import type { ScanSummary, SeverityLevel } from '../../api/types';
import { severityColor, severityLevels, severityTextColor } from './severity';

/** One severity on its colour: "critical", or with a count, "1 critical". */
export function SeverityBadge(props: { level: SeverityLevel; count?: number; title?: string }) {
  const { level, count } = props;
  const empty = count === 0;

  return (
    <Badge
      variant={empty ? 'default' : 'filled'}
      color={empty ? undefined : severityColor(level)}
      c={empty ? undefined : severityTextColor}
      autoContrast={false}
      tt="none"
      miw="max-content"
      title={props.title}
      data-severity={level}
    >
      {count === undefined ? level : `${count.toLocaleString()} ${level}`}
    </Badge>
  );
}

/**
 * The findings of a scan per severity. In full, every level with its count, the empty ones
 * plain; compact (a listing's cell), only the levels found, or "none found".
 */
export function SeveritySummary({ summary, compact }: { summary: ScanSummary; compact?: boolean }) {
  const shown = compact ? severityLevels.filter((level) => summary[level] > 0) : severityLevels;
  if (shown.length === 0) return <Text size="sm">none found</Text>;

  return (
    <Group gap={4}>
      {shown.map((level) => (
        <SeverityBadge key={level} level={level} count={summary[level]} />
      ))}
    </Group>
  );
}
