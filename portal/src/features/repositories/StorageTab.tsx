import { BarChart } from '@mantine/charts';
import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get, segment } from '../../api/client';
import type { ProjectStorage } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatBytes } from '../../components/format';
import { useProjectName } from '../projects/queries';

/** Storage by repository: which repositories hold the project's bytes. */
export function StorageTab() {
  const project = useProjectName();
  const storage = useQuery({
    queryKey: ['project', project, 'storage'],
    queryFn: () => get<ProjectStorage>(`/projects/${segment(project)}/storage`),
  });
  const data = storage.data?.repositories.map((r) => ({
    repository: r.name.slice(project.length + 1) || r.name,
    size: r.sizeBytes,
  }));

  return (
    <Stack>
      <ErrorNotice error={storage.error} />
      {storage.data && (
        <Text size="sm">
          {formatBytes(storage.data.usedBytes)} used
          {storage.data.limitBytes !== null &&
            ` of ${formatBytes(storage.data.limitBytes)}`} across {storage.data.repositoryCount}{' '}
          repositories. Layers shared between repositories count once in the total and in each
          repository below.
        </Text>
      )}
      {data && data.length > 0 && (
        <figure style={{ margin: 0 }}>
          <figcaption>
            <Text size="sm" fw={500}>
              Largest repositories
            </Text>
          </figcaption>
          <BarChart
            h={Math.max(160, data.length * 36)}
            data={data}
            dataKey="repository"
            orientation="vertical"
            series={[{ name: 'size', label: 'Size', color: 'blue.8' }]}
            valueFormatter={formatBytes}
            yAxisProps={{ width: 160 }}
            gridAxis="x"
          />
        </figure>
      )}
    </Stack>
  );
}
