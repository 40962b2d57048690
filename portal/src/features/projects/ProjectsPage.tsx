import { Anchor, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { get } from '../../api/client';
import type { Listing, Project } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { formatTime } from '../../components/format';
import { LoadingRows } from '../../components/LoadingRows';
import { useListParams } from '../../components/listParams';
import { PageHeader } from '../../components/PageHeader';
import { Pager } from '../../components/Pager';
import { SearchBox } from '../../components/SearchBox';
import { CreateProjectButton } from './CreateProjectButton';
import { LabelBadges } from './LabelBadges';

export function ProjectsPage() {
  const list = useListParams();
  const projects = useQuery({
    queryKey: ['projects', list.query, list.page, list.pageSize],
    queryFn: () =>
      get<Listing<Project>>('/projects', {
        search: list.query,
        page: list.page,
        pageSize: list.pageSize,
      }),
    placeholderData: keepPreviousData,
  });

  return (
    <Stack>
      <PageHeader title="Projects" actions={<CreateProjectButton />} />
      <SearchBox value={list.search} onChange={list.setSearch} label="Search projects" />
      <ErrorNotice error={projects.error} />
      <Table.ScrollContainer minWidth={600}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Access</Table.Th>
              <Table.Th>Labels</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {projects.isPending && <LoadingRows columns={4} />}
            {projects.data?.items.map((project) => (
              <Table.Tr key={project.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/projects/${project.name}`} fw={500}>
                    {project.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <StatusBadge tone={project.public ? 'good' : 'neutral'}>
                    {project.public ? 'public' : 'private'}
                  </StatusBadge>
                </Table.Td>
                <Table.Td>
                  <LabelBadges labels={project.labels} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatTime(project.createdAt)}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {projects.data && projects.data.total === 0 && (
        <Text>{list.query ? 'No project matches this search.' : 'No projects yet.'}</Text>
      )}
      {projects.data && (
        <Pager
          total={projects.data.total}
          page={list.page}
          pageSize={list.pageSize}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
          noun="projects"
        />
      )}
    </Stack>
  );
}
