import { Anchor, Group, Select, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { get, segment } from '../../api/client';
import type { Listing, Repository } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatTime } from '../../components/format';
import { useListParams } from '../../components/listParams';
import { LoadingRows } from '../../components/LoadingRows';
import { Pager } from '../../components/Pager';
import { SearchBox } from '../../components/SearchBox';
import { useProjectName } from '../projects/queries';
import { repositoryPath } from './paths';

const sorts = [
  { value: 'name', label: 'Name' },
  { value: '-pushed', label: 'Last push, newest first' },
  { value: '-size', label: 'Size, largest first' },
  { value: '-artifacts', label: 'Artifacts, most first' },
];

export function RepositoriesTab() {
  const project = useProjectName();
  const list = useListParams({ sort: 'name' });
  const repositories = useQuery({
    queryKey: ['project', project, 'repositories', list.query, list.sort, list.page, list.pageSize],
    queryFn: () =>
      get<Listing<Repository>>(`/projects/${segment(project)}/repositories`, {
        search: list.query,
        sort: list.sort,
        page: list.page,
        pageSize: list.pageSize,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <Stack>
      <Group>
        <SearchBox value={list.search} onChange={list.setSearch} label="Search repositories" />
        <Select
          aria-label="Sort repositories by"
          data={sorts}
          value={list.sort}
          onChange={(v) => v && list.setSort(v)}
          allowDeselect={false}
          w={240}
        />
      </Group>
      <ErrorNotice error={repositories.error} />
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Repository</Table.Th>
              <Table.Th>Artifacts</Table.Th>
              <Table.Th>Tags</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Last push</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {repositories.isPending && <LoadingRows columns={5} />}
            {repositories.data?.items.map((repository) => (
              <Table.Tr key={repository.name}>
                <Table.Td>
                  <Anchor component={Link} to={repositoryPath(repository.name)} fw={500}>
                    {repository.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{repository.artifactCount.toLocaleString()}</Table.Td>
                <Table.Td>{repository.tagCount.toLocaleString()}</Table.Td>
                <Table.Td>
                  <Bytes value={repository.sizeBytes} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatTime(repository.lastPushedAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {repositories.data?.total === 0 && (
        <Text>
          {list.query ? 'No repository matches this search.' : 'Nothing has been pushed here yet.'}
        </Text>
      )}
      {repositories.data && (
        <Pager
          total={repositories.data.total}
          page={list.page}
          pageSize={list.pageSize}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
          noun="repositories"
        />
      )}
    </Stack>
  );
}
