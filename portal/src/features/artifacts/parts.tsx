import { Anchor, Code, ScrollArea, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { shortDigest } from '../../components/format';
import { artifactPath } from '../repositories/paths';

// Building blocks of the artifact page.

/** An artifact's short digest, linked to its page. */
export function DigestLink({ repository, digest }: { repository: string; digest: string }) {
  return (
    <Anchor component={Link} to={artifactPath(repository, digest)} ff="monospace" size="sm">
      {shortDigest(digest)}
    </Anchor>
  );
}

export function KeyValues({ values }: { values: Record<string, string> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <Text size="sm">none</Text>;

  return (
    <Table>
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {key}
              </Text>
            </Table.Td>
            <Table.Td style={{ wordBreak: 'break-all' }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <ScrollArea.Autosize mah={400} type="auto">
      <Code block aria-label={label} tabIndex={0}>
        {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
      </Code>
    </ScrollArea.Autosize>
  );
}
