import { Anchor, Badge, Group, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { del, get, segment } from '../../api/client';
import type { Artifact, Listing } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyText } from '../../components/CopyText';
import { ErrorNotice } from '../../components/ErrorNotice';
import {
  artifactKind,
  formatTime,
  platformName,
  pullCommand,
  shortDigest,
} from '../../components/format';
import { useListParams } from '../../components/listParams';
import { LoadingRows } from '../../components/LoadingRows';
import { Pager } from '../../components/Pager';
import { SearchBox } from '../../components/SearchBox';
import { artifactPath, repositoryPath } from '../repositories/paths';
import { useRepositoryRefresh } from './queries';

export function ArtifactsTable({ repository }: { repository: string }) {
  const list = useListParams();
  const refresh = useRepositoryRefresh(repository);
  const artifacts = useQuery({
    queryKey: ['repository', repository, 'artifacts', list.query, list.page, list.pageSize],
    queryFn: () =>
      get<Listing<Artifact>>(`/repositories/${segment(repository)}/artifacts`, {
        search: list.query,
        page: list.page,
        pageSize: list.pageSize,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <Stack>
      <SearchBox value={list.search} onChange={list.setSearch} label="Search by tag or digest" />
      <ErrorNotice error={artifacts.error} />
      <Table.ScrollContainer minWidth={900}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Digest</Table.Th>
              <Table.Th>Tags</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Pushed</Table.Th>
              <Table.Th>Last pull</Table.Th>
              <Table.Th>Pull command</Table.Th>
              <Table.Th>Delete</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {artifacts.isPending && <LoadingRows columns={8} />}
            {artifacts.data?.items.map((artifact) => (
              <ArtifactRow
                key={artifact.digest}
                repository={repository}
                artifact={artifact}
                onDeleted={refresh}
              />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {artifacts.data?.total === 0 && <Text>No artifact matches.</Text>}
      {artifacts.data && (
        <Pager
          total={artifacts.data.total}
          page={list.page}
          pageSize={list.pageSize}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
          noun="artifacts"
        />
      )}
    </Stack>
  );
}

function ArtifactRow(props: {
  repository: string;
  artifact: Artifact;
  onDeleted: () => Promise<void>;
}) {
  const { repository, artifact } = props;
  const more = artifact.tagCount - artifact.tags.length;
  const reference = artifact.tags[0] ?? artifact.digest;

  return (
    <Table.Tr>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Anchor
            component={Link}
            to={artifactPath(repository, artifact.digest)}
            ff="monospace"
            size="sm"
          >
            {shortDigest(artifact.digest)}
          </Anchor>
          <CopyText
            value={artifact.digest}
            shown=""
            label={`Copy digest ${shortDigest(artifact.digest)}`}
          />
        </Group>
      </Table.Td>
      <Table.Td style={{ minWidth: 140 }}>
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
      </Table.Td>
      <Table.Td>
        <Text size="sm">{artifactKind(artifact.mediaType, artifact.artifactType)}</Text>
        {artifact.platforms.length > 0 && (
          <Text size="xs">{artifact.platforms.map(platformName).join(', ')}</Text>
        )}
      </Table.Td>
      <Table.Td>
        <Bytes value={artifact.sizeBytes} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatTime(artifact.pushedAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatTime(artifact.lastPulledAt)}</Text>
      </Table.Td>
      <Table.Td>
        <CopyText
          value={pullCommand(repository, reference)}
          shown="docker pull"
          label={`Copy the pull command of ${reference}`}
        />
      </Table.Td>
      <Table.Td>
        <ConfirmButton
          size="xs"
          text="Delete"
          label={`Delete artifact ${shortDigest(artifact.digest)}`}
          message={
            artifact.tagCount > 0
              ? `The artifact and its ${artifact.tagCount} tag(s) are deleted.`
              : 'The artifact is deleted.'
          }
          onConfirm={async () => {
            await del(`/repositories/${segment(repository)}/artifacts/${artifact.digest}`);
            await props.onDeleted();
          }}
        />
      </Table.Td>
    </Table.Tr>
  );
}
