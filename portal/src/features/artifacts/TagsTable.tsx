import { Stack, Table } from '@mantine/core';
import { segment } from '../../api/client';
import type { Tag } from '../../api/types';
import { DeleteCell, LinkCell, TimeCell } from '../../components/cells';
import { CopyText } from '../../components/CopyText';
import { pullCommand, shortDigest } from '../../components/format';
import { useListing } from '../../components/listing';
import { ListingTable } from '../../components/ListingTable';
import { SearchBox } from '../../components/SearchBox';
import { useRepositoryPermission } from '../projects/permissions';
import { artifactPath } from '../repositories/paths';
import { useRepositoryRefresh } from './queries';

const columns = ['Tag', 'Digest', 'Pushed', 'Last pull', 'Pull command'];

/**
 * Every tag of a repository, paged on the server: a repository may hold tens of thousands. The
 * delete column is there for those who may delete tags.
 */
export function TagsTable({ repository }: { repository: string }) {
  const tags = useListing<Tag>(
    ['repository', repository, 'tags'],
    `/repositories/${segment(repository)}/tags`,
    { pageSize: 50 },
  );
  const refresh = useRepositoryRefresh(repository);
  const mayDelete = useRepositoryPermission(repository)('delete-tag');

  return (
    <Stack>
      <SearchBox value={tags.list.search} onChange={tags.list.setSearch} label="Search tags" />
      <ListingTable
        listing={tags}
        noun="tags"
        empty="No tag matches."
        columns={mayDelete ? [...columns, 'Delete'] : columns}
        minWidth={760}
      >
        {(tag) => (
          <Table.Tr key={tag.name}>
            <LinkCell to={artifactPath(repository, tag.name)}>{tag.name}</LinkCell>
            <Table.Td>
              <CopyText
                value={tag.digest}
                shown={shortDigest(tag.digest)}
                label={`Copy the digest of ${tag.name}`}
              />
            </Table.Td>
            <TimeCell value={tag.pushedAt} />
            <TimeCell value={tag.lastPulledAt} />
            <Table.Td>
              <CopyText
                value={pullCommand(repository, tag.name)}
                shown="docker pull"
                label={`Copy the pull command of ${tag.name}`}
              />
            </Table.Td>
            {mayDelete && (
              <DeleteCell
                label={`Delete tag ${tag.name}`}
                message={`The tag ${tag.name} is removed; the artifact it names stays.`}
                path={`/repositories/${segment(repository)}/tags/${segment(tag.name)}`}
                onDeleted={refresh}
              />
            )}
          </Table.Tr>
        )}
      </ListingTable>
    </Stack>
  );
}
