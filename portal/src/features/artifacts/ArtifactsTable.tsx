import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { segment } from '../../api/client';
import type { Artifact, ListedArtifact } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { DeleteCell, TimeCell } from '../../components/cells';
import { CopyText } from '../../components/CopyText';
import { artifactKind, platformName, pullCommand, shortDigest } from '../../components/format';
import { useListing } from '../../components/listing';
import { ListingTable } from '../../components/ListingTable';
import { SearchBox } from '../../components/SearchBox';
import { useRepositoryPermission } from '../projects/permissions';
import { repositoryPath } from '../repositories/paths';
import { ScanCell } from '../scans/ScanCell';
import { DigestLink } from './parts';
import { useRepositoryRefresh } from './queries';

const columns = [
  'Digest',
  'Tags',
  'Type',
  'Vulnerabilities',
  'Size',
  'Pushed',
  'Last pull',
  'Pull command',
];

/** A repository's artifacts, paged on the server; the delete column for those who may delete. */
export function ArtifactsTable({ repository }: { repository: string }) {
  const artifacts = useListing<ListedArtifact>(
    ['repository', repository, 'artifacts'],
    `/repositories/${segment(repository)}/artifacts`,
  );
  const refresh = useRepositoryRefresh(repository);
  const mayDelete = useRepositoryPermission(repository)('delete-artifact');

  return (
    <Stack>
      <SearchBox
        value={artifacts.list.search}
        onChange={artifacts.list.setSearch}
        label="Search by tag or digest"
      />
      <ListingTable
        listing={artifacts}
        noun="artifacts"
        empty="No artifact matches."
        columns={mayDelete ? [...columns, 'Delete'] : columns}
        minWidth={1040}
      >
        {(artifact) => (
          <ArtifactRow
            key={artifact.digest}
            repository={repository}
            artifact={artifact}
            onDeleted={mayDelete ? refresh : undefined}
          />
        )}
      </ListingTable>
    </Stack>
  );
}

function ArtifactRow(props: {
  repository: string;
  artifact: ListedArtifact;
  /** Refreshes the listing after a delete; without it, the row offers no delete. */
  onDeleted?: () => Promise<void>;
}) {
  const { repository, artifact } = props;
  const reference = artifact.tags[0] ?? artifact.digest;

  return (
    <Table.Tr>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <DigestLink repository={repository} digest={artifact.digest} />
          <CopyText
            value={artifact.digest}
            shown=""
            label={`Copy digest ${shortDigest(artifact.digest)}`}
          />
        </Group>
      </Table.Td>
      <Table.Td style={{ minWidth: 140 }}>
        <TagBadges repository={repository} artifact={artifact} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{artifactKind(artifact.mediaType, artifact.artifactType)}</Text>
        {artifact.platforms.length > 0 && (
          <Text size="xs">{artifact.platforms.map(platformName).join(', ')}</Text>
        )}
      </Table.Td>
      <ScanCell repository={repository} digest={artifact.digest} scan={artifact.scan} />
      <Table.Td>
        <Bytes value={artifact.sizeBytes} />
      </Table.Td>
      <TimeCell value={artifact.pushedAt} />
      <TimeCell value={artifact.lastPulledAt} />
      <Table.Td>
        <CopyText
          value={pullCommand(repository, reference)}
          shown="docker pull"
          label={`Copy the pull command of ${reference}`}
        />
      </Table.Td>
      {props.onDeleted && (
        <DeleteCell
          label={`Delete artifact ${shortDigest(artifact.digest)}`}
          message={
            artifact.tagCount > 0
              ? `The artifact and its ${artifact.tagCount} tag(s) are deleted.`
              : 'The artifact is deleted.'
          }
          path={`/repositories/${segment(repository)}/artifacts/${artifact.digest}`}
          onDeleted={props.onDeleted}
        />
      )}
    </Table.Tr>
  );
}

/** The first tags of an artifact, and a link to the rest. */
function TagBadges({ repository, artifact }: { repository: string; artifact: Artifact }) {
  const more = artifact.tagCount - artifact.tags.length;

  return (
    <Group gap={4}>
      {artifact.tags.map((tag) => (
        <Badge key={tag} variant="outline" tt="none">
          {tag}
        </Badge>
      ))}
      {more > 0 && (
        <Anchor component={Link} to={`${repositoryPath(repository, 'tags')}`} size="sm">
          +{more.toLocaleString()} more
        </Anchor>
      )}
    </Group>
  );
}
