import { ActionIcon, CopyButton, Group, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/** A value shown shortened, with a button that copies it whole. */
export function CopyText(props: { value: string; shown?: string; label: string; mono?: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Text
        component="span"
        ff={props.mono === false ? undefined : 'monospace'}
        size="sm"
        title={props.value}
      >
        {props.shown ?? props.value}
      </Text>
      <CopyButton value={props.value} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : props.label} withArrow>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              onClick={copy}
              aria-label={props.label}
              size="sm"
            >
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
