import { Group, Select, Stack, Table } from '@mantine/core';
import { segment } from '../../api/client';
import type { Repository } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { LinkCell, TimeCell } from '../../components/cells';
import { useListing } from '../../components/listing';
import { ListingTable } from '../../components/ListingTable';
import { SearchBox } from '../../components/SearchBox';
import { useProjectName } from '../projects/queries';
import { repositoryPath } from './paths';

const sorts = [
  { value: 'name', label: 'Name' },
  { value: '-pushed', label: 'Last push, newest first' },
  { value: '-size', label: 'Size, largest first' },
  { value: '-artifacts', label: 'Artifacts, most first' },
];

const columns = ['Repository', 'Artifacts', 'Tags', 'Size', 'Last push'];

export function RepositoriesTab() {
  const project = useProjectName();
  const repositories = useListing<Repository>(
    ['project', project, 'repositories'],
    `/projects/${segment(project)}/repositories`,
    { sort: 'name' },
  );
  const { list } = repositories;

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
      <ListingTable
        listing={repositories}
        noun="repositories"
        empty={
          list.query ? 'No repository matches this search.' : 'Nothing has been pushed here yet.'
        }
        columns={columns}
        minWidth={640}
      >
        {(repository) => (
          <Table.Tr key={repository.name}>
            <LinkCell to={repositoryPath(repository.name)}>{repository.name}</LinkCell>
            <Table.Td>{repository.artifactCount.toLocaleString()}</Table.Td>
            <Table.Td>{repository.tagCount.toLocaleString()}</Table.Td>
            <Table.Td>
              <Bytes value={repository.sizeBytes} />
            </Table.Td>
            <TimeCell value={repository.lastPushedAt} />
          </Table.Tr>
        )}
      </ListingTable>
    </Stack>
  );
}
