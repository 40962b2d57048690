import { LineChart } from '@mantine/charts';
import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get, segment } from '../../api/client';
import type { SizeHistory } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatBytes, shortDigest } from '../../components/format';

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** The size of each recent artifact at the time it was pushed: how the image grows. */
export function SizeChart({ repository }: { repository: string }) {
  const history = useQuery({
    queryKey: ['repository', repository, 'size-history'],
    queryFn: () => get<SizeHistory>(`/repositories/${segment(repository)}/size-history`),
  });
  const data = history.data?.points.map((p) => ({
    pushed: day.format(new Date(p.pushedAt)),
    size: p.sizeBytes,
    name: p.tags[0] ?? shortDigest(p.digest),
  }));

  return (
    <Stack>
      <ErrorNotice error={history.error} />
      {data?.length === 0 && <Text>Nothing pushed yet.</Text>}
      {data && data.length > 0 && (
        <figure style={{ margin: 0 }}>
          <figcaption>
            <Text size="sm" fw={500}>
              Artifact size by push time ({data.length} newest)
            </Text>
          </figcaption>
          <LineChart
            h={280}
            data={data}
            dataKey="pushed"
            series={[{ name: 'size', label: 'Size', color: 'blue.8' }]}
            valueFormatter={formatBytes}
            yAxisProps={{ width: 90 }}
            curveType="linear"
          />
        </figure>
      )}
    </Stack>
  );
}
