import { Group, Stack, Tabs, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { del, get, segment } from '../../api/client';
import type { Repository } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyText } from '../../components/CopyText';
import { ErrorNotice } from '../../components/ErrorNotice';
import { counted, formatBytes, formatTime, registryHost } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ArtifactsTable } from '../artifacts/ArtifactsTable';
import { TagsTable } from '../artifacts/TagsTable';
import { useProjectPermission } from '../projects/permissions';
import { projectOf, repositoryPath } from './paths';
import { SizeChart } from './SizeChart';

const tabs = [
  { value: 'artifacts', label: 'Artifacts' },
  { value: 'tags', label: 'Tags' },
  { value: 'size', label: 'Size over time' },
];

export function useRepository(name: string) {
  return useQuery({
    queryKey: ['repository', name],
    queryFn: () => get<Repository>(`/repositories/${segment(name)}`),
  });
}

export function RepositoryPage({ repository, tab }: { repository: string; tab: string }) {
  const summary = useRepository(repository);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const project = projectOf(repository);
  const mayDelete = useProjectPermission(project)('delete-repository');

  return (
    <Stack>
      <PageHeader
        title={repository}
        crumbs={[
          { label: 'Projects', to: '/projects' },
          { label: project, to: `/projects/${project}` },
          { label: repository.slice(project.length + 1) || repository },
        ]}
        actions={
          mayDelete && (
            <ConfirmButton
              label="Delete repository"
              message={`Every artifact and tag of ${repository} is deleted.`}
              typeToConfirm={repository}
              onConfirm={async () => {
                await del(`/repositories/${segment(repository)}`);
                await queryClient.invalidateQueries({ queryKey: ['project', project] });
                navigate(`/projects/${project}`, { replace: true });
              }}
            />
          )
        }
      />
      <ErrorNotice error={summary.error} />
      {summary.data && (
        <Group gap="xl">
          <Text size="sm">{counted(summary.data.artifactCount, 'artifact')}</Text>
          <Text size="sm">{counted(summary.data.tagCount, 'tag')}</Text>
          <Text size="sm">{formatBytes(summary.data.sizeBytes)}</Text>
          <Text size="sm">Last push {formatTime(summary.data.lastPushedAt)}</Text>
          <CopyText value={`${registryHost()}/${repository}`} label="Copy the repository address" />
        </Group>
      )}
      <Tabs
        value={tab || 'artifacts'}
        onChange={(value) =>
          navigate(repositoryPath(repository, value === 'artifacts' ? '' : (value ?? '')))
        }
        keepMounted={false}
      >
        <Tabs.List aria-label="Repository sections">
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="artifacts" pt="md">
          <ArtifactsTable repository={repository} />
        </Tabs.Panel>
        <Tabs.Panel value="tags" pt="md">
          <TagsTable repository={repository} />
        </Tabs.Panel>
        <Tabs.Panel value="size" pt="md">
          <SizeChart repository={repository} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
