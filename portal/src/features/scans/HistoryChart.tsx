import { LineChart } from '@mantine/charts';
import { Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';
import type { ScanHistory } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { artifactApiPath, scanKey } from './queries';
import { severityColor, severityLevels } from './severity';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

/**
 * The image's findings per severity each time it was matched in the last 90 days: what a new
 * advisory import or a rebuild changed. Levels never found are left out.
 */
export function HistoryChart(props: {
  repository: string;
  digest: string;
  scannedAt: string | undefined;
}) {
  const history = useQuery({
    queryKey: [...scanKey(props.repository, props.digest), 'history', props.scannedAt],
    queryFn: () =>
      get<ScanHistory>(`${artifactApiPath(props.repository, props.digest)}/scan/history`),
  });
  const points = history.data?.points ?? [];
  const found = severityLevels.filter((level) => points.some((p) => p.summary[level] > 0));
  const data = points.map((p) => ({ at: when.format(new Date(p.at)), ...p.summary }));

  return (
    <Stack>
      <ErrorNotice error={history.error} />
      {history.data && points.length === 0 && <Text>No match in the last 90 days.</Text>}
      {points.length > 0 && (
        <figure style={{ margin: 0 }}>
          <figcaption>
            <Text size="sm" fw={500}>
              Vulnerabilities per severity at each match ({points.length} in the last 90 days)
            </Text>
          </figcaption>
          <LineChart
            h={280}
            data={data}
            dataKey="at"
            series={
              found.length > 0
                ? found.map((level) => ({ name: level, color: severityColor(level) }))
                : [{ name: 'total', label: 'all severities', color: severityColor('negligible') }]
            }
            withLegend
            yAxisProps={{ allowDecimals: false, width: 50 }}
            curveType="linear"
          />
        </figure>
      )}
    </Stack>
  );
}
