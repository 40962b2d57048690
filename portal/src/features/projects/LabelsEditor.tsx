import { ActionIcon, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';

export type LabelRows = { key: string; value: string }[];

export function rowsOf(labels: Record<string, string>): LabelRows {
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

export function labelsOf(rows: LabelRows): Record<string, string> {
  return Object.fromEntries(
    rows.filter((r) => r.key.trim() !== '').map((r) => [r.key.trim(), r.value]),
  );
}

/** Key/value labels (env=prod, team=payments), edited as rows. */
export function LabelsEditor(props: { rows: LabelRows; onChange: (rows: LabelRows) => void }) {
  const set = (index: number, change: Partial<LabelRows[number]>) =>
    props.onChange(props.rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Labels
      </Text>
      {props.rows.map((row, index) => (
        <Group key={index} gap="xs" wrap="nowrap">
          <TextInput
            aria-label={`Label ${index + 1} key`}
            placeholder="key"
            value={row.key}
            onChange={(e) => set(index, { key: e.currentTarget.value })}
          />
          <TextInput
            aria-label={`Label ${index + 1} value`}
            placeholder="value"
            value={row.value}
            onChange={(e) => set(index, { value: e.currentTarget.value })}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Remove label ${index + 1}`}
            onClick={() => props.onChange(props.rows.filter((_, i) => i !== index))}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Button
        variant="subtle"
        leftSection={<IconPlus size={16} />}
        onClick={() => props.onChange([...props.rows, { key: '', value: '' }])}
        w="fit-content"
      >
        Add label
      </Button>
    </Stack>
  );
}
