import { Badge, Group, Text } from '@mantine/core';

export function LabelBadges({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <Text size="sm">none</Text>;

  return (
    <Group gap={4}>
      {entries.map(([key, value]) => (
        <Badge key={key} variant="outline" color="gray" tt="none">
          {key}={value}
        </Badge>
      ))}
    </Group>
  );
}
