import { Group, Loader, Table, Text } from '@mantine/core';
import type { ScanBrief } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge';
import { inProgress, noAdvisories, useArtifactScan } from './queries';
import { SeveritySummary } from './SeverityBadges';

/**
 * An artifact listing's scan cell: the severities found, or where the scan stands. A queued or
 * running scan is followed until it is done.
 */
export function ScanCell(props: { repository: string; digest: string; scan?: ScanBrief }) {
  const waiting = inProgress(props.scan?.status);
  const live = useArtifactScan(props.repository, props.digest, waiting);
  const scan = waiting && live.data ? live.data : props.scan;

  return <Table.Td>{scan ? <ScanState scan={scan} /> : <Text size="sm">—</Text>}</Table.Td>;
}

function ScanState({ scan }: { scan: ScanBrief }) {
  const clean = scan.status === 'done' && scan.summary?.total === 0;

  switch (scan.status) {
    case 'queued':
    case 'running':
      return (
        <Group gap={6} wrap="nowrap">
          <Loader size="xs" aria-hidden />
          <Text size="sm">{scan.status === 'queued' ? 'queued' : 'scanning'}</Text>
        </Group>
      );
    case 'failed':
      return <StatusBadge tone="bad">scan failed</StatusBadge>;
    case 'not-scanned':
      return <Text size="sm">not scanned</Text>;
    case 'unsupported':
      return <Text size="sm">not an image</Text>;
    case 'done':
      if (clean && scan.advisories === noAdvisories) {
        return <Text size="sm">not matched: no advisories</Text>;
      }
      if (clean && (scan.summary?.problems ?? 0) > 0) {
        return <Text size="sm">not fully checked: see the scan</Text>;
      }
      return scan.summary ? <SeveritySummary summary={scan.summary} compact /> : null;
  }
}
