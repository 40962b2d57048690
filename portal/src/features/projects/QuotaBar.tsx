import { Group, Progress, Stack, Text } from '@mantine/core';
import type { Quota } from '../../api/types';
import { formatBytes } from '../../components/format';

/** How much of its storage limit a project uses; just the usage when it has no limit. */
export function QuotaBar({ quota }: { quota: Quota }) {
  if (quota.limitBytes === null) {
    return <Text size="sm">Storage used: {formatBytes(quota.usedBytes)} (no limit)</Text>;
  }

  const share = quota.limitBytes === 0 ? 1 : quota.usedBytes / quota.limitBytes;
  const color = share >= 1 ? 'red' : share >= quota.warning ? 'orange' : 'blue';
  const percent = Math.min(100, Math.round(share * 100));

  return (
    <Stack gap={4} maw={420}>
      <Group justify="space-between">
        <Text size="sm">Storage quota</Text>
        <Text size="sm">
          {formatBytes(quota.usedBytes)} of {formatBytes(quota.limitBytes)} ({percent}%)
        </Text>
      </Group>
      <Progress value={percent} color={color} aria-label={`Storage quota ${percent}% used`} />
    </Stack>
  );
}
