import { Badge, Group, Stack, Text } from '@mantine/core';
import type { Referrer } from '../../api/types';
import { artifactKind, formatBytes, formatTime } from '../../components/format';
import { DigestLink } from './parts';

/**
 * Signatures, SBOMs and attestations of an artifact, and theirs, as a nested list. The API
 * gives the tree depth first, each node naming its subject.
 */
export function ReferrersTree(props: {
  repository: string;
  subject: string;
  referrers: Referrer[];
}) {
  if (props.referrers.length === 0) return <Text size="sm">Nothing refers to this artifact.</Text>;

  return <Branch {...props} />;
}

function Branch(props: { repository: string; subject: string; referrers: Referrer[] }) {
  const children = props.referrers.filter((r) => r.subject === props.subject);
  if (children.length === 0) return null;

  return (
    <Stack
      component="ul"
      gap="xs"
      pl="md"
      className="referrer-tree"
      style={{ listStyle: 'none', margin: 0 }}
    >
      {children.map((node) => (
        <li key={node.digest}>
          <Group gap="xs">
            <Badge variant="outline" tt="none">
              {artifactKind(node.mediaType, node.artifactType)}
            </Badge>
            <DigestLink repository={props.repository} digest={node.digest} />
            <Text size="xs">
              {node.artifactType ?? node.mediaType} · {formatBytes(node.sizeBytes)} ·{' '}
              {formatTime(node.pushedAt)}
            </Text>
          </Group>
          <Branch repository={props.repository} subject={node.digest} referrers={props.referrers} />
        </li>
      ))}
    </Stack>
  );
}
