import { Anchor, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { del, get, segment } from '../../api/client';
import type { Listing, Tag } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyText } from '../../components/CopyText';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatTime, pullCommand, shortDigest } from '../../components/format';
import { useListParams } from '../../components/listParams';
import { LoadingRows } from '../../components/LoadingRows';
import { Pager } from '../../components/Pager';
import { SearchBox } from '../../components/SearchBox';
import { artifactPath } from '../repositories/paths';
import { useRepositoryRefresh } from './queries';

/** Every tag of a repository, paged on the server: a repository may hold tens of thousands. */
export function TagsTable({ repository }: { repository: string }) {
  const list = useListParams({ pageSize: 50 });
  const refresh = useRepositoryRefresh(repository);
  const tags = useQuery({
    queryKey: ['repository', repository, 'tags', list.query, list.page, list.pageSize],
    queryFn: () =>
      get<Listing<Tag>>(`/repositories/${segment(repository)}/tags`, {
        search: list.query,
        page: list.page,
        pageSize: list.pageSize,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <Stack>
      <SearchBox value={list.search} onChange={list.setSearch} label="Search tags" />
      <ErrorNotice error={tags.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tag</Table.Th>
              <Table.Th>Digest</Table.Th>
              <Table.Th>Pushed</Table.Th>
              <Table.Th>Last pull</Table.Th>
              <Table.Th>Pull command</Table.Th>
              <Table.Th>Delete</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tags.isPending && <LoadingRows columns={6} />}
            {tags.data?.items.map((tag) => (
              <Table.Tr key={tag.name}>
                <Table.Td>
                  <Anchor component={Link} to={artifactPath(repository, tag.name)} fw={500}>
                    {tag.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <CopyText
                    value={tag.digest}
                    shown={shortDigest(tag.digest)}
                    label={`Copy the digest of ${tag.name}`}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatTime(tag.pushedAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatTime(tag.lastPulledAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <CopyText
                    value={pullCommand(repository, tag.name)}
                    shown="docker pull"
                    label={`Copy the pull command of ${tag.name}`}
                  />
                </Table.Td>
                <Table.Td>
                  <ConfirmButton
                    size="xs"
                    text="Delete"
                    label={`Delete tag ${tag.name}`}
                    message={`The tag ${tag.name} is removed; the artifact it names stays.`}
                    onConfirm={async () => {
                      await del(`/repositories/${segment(repository)}/tags/${segment(tag.name)}`);
                      await refresh();
                    }}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {tags.data?.total === 0 && <Text>No tag matches.</Text>}
      {tags.data && (
        <Pager
          total={tags.data.total}
          page={list.page}
          pageSize={list.pageSize}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
          noun="tags"
        />
      )}
    </Stack>
  );
}
