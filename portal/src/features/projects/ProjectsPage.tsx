import { Stack, Table } from '@mantine/core';
import type { Project } from '../../api/types';
import { LinkCell, TimeCell } from '../../components/cells';
import { useListing } from '../../components/listing';
import { ListingTable } from '../../components/ListingTable';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { StatusBadge } from '../../components/StatusBadge';
import { CreateProjectButton } from './CreateProjectButton';
import { LabelBadges } from './LabelBadges';

const columns = ['Name', 'Access', 'Labels', 'Created'];

export function ProjectsPage() {
  const projects = useListing<Project>(['projects'], '/projects');
  const { list } = projects;

  return (
    <Stack>
      <PageHeader title="Projects" actions={<CreateProjectButton />} />
      <SearchBox value={list.search} onChange={list.setSearch} label="Search projects" />
      <ListingTable
        listing={projects}
        noun="projects"
        empty={list.query ? 'No project matches this search.' : 'No projects yet.'}
        columns={columns}
        minWidth={600}
      >
        {(project) => (
          <Table.Tr key={project.name}>
            <LinkCell to={`/projects/${project.name}`}>{project.name}</LinkCell>
            <Table.Td>
              <StatusBadge tone={project.public ? 'good' : 'neutral'}>
                {project.public ? 'public' : 'private'}
              </StatusBadge>
            </Table.Td>
            <Table.Td>
              <LabelBadges labels={project.labels} />
            </Table.Td>
            <TimeCell value={project.createdAt} />
          </Table.Tr>
        )}
      </ListingTable>
    </Stack>
  );
}
