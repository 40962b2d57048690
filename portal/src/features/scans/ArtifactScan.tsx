import { Alert, Group, Stack, Tabs, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { ArtifactDetail, ScanOverview, ScanSummary } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Section } from '../../components/Section';
import { HistoryChart } from './HistoryChart';
import { IndexScans } from './IndexScans';
import { PackagesTable } from './PackagesTable';
import { noAdvisories, useArtifactScan } from './queries';
import { SbomDownloads } from './SbomDownloads';
import { ScanStatusLine } from './ScanStatusLine';
import { SeveritySummary } from './SeverityBadges';
import { VulnerabilitiesTable } from './VulnerabilitiesTable';

/**
 * The artifact page's scan: where it stands, the findings per severity, the SBOM downloads,
 * and tabs with the findings, the packages and their history. Nothing when scanning is off.
 */
export function ArtifactScan({
  repository,
  artifact,
}: {
  repository: string;
  artifact: ArtifactDetail;
}) {
  const scan = useArtifactScan(repository, artifact.digest);
  if (scanningOff(scan.error)) return null;

  return (
    <Section title="Security scan">
      <ErrorNotice error={scan.error} />
      {scan.data && <ScanBody repository={repository} artifact={artifact} scan={scan.data} />}
    </Section>
  );
}

function ScanBody(props: { repository: string; artifact: ArtifactDetail; scan: ScanOverview }) {
  const { repository, artifact, scan } = props;
  // A rescan (after every advisory import) keeps the last results on show until it ends, and
  // a rescan that failed leaves them too (the status line says it failed).
  const done =
    scan.status === 'done' || (scan.summary !== undefined && scan.advisories !== undefined);
  const image = !scan.children;

  return (
    <Stack gap="md">
      <ScanStatusLine repository={repository} digest={artifact.digest} scan={scan} />
      {scan.summary && done && (
        <Findings summary={scan.summary} unmatched={scan.advisories === noAdvisories} />
      )}
      {done && image && <SbomDownloads repository={repository} digest={artifact.digest} />}
      {scan.children && (
        <IndexScans repository={repository} artifact={artifact} scans={scan.children} />
      )}
      {done && image && <ScanTabs repository={repository} artifact={artifact} scan={scan} />}
    </Stack>
  );
}

/** The counts per severity, and a plain warning when nothing could be matched. */
function Findings({ summary, unmatched }: { summary: ScanSummary; unmatched: boolean }) {
  return (
    <Stack gap="xs">
      <Group gap="md">
        <SeveritySummary summary={summary} />
        <Text size="sm">
          {summary.total.toLocaleString()} in all, {summary.fixable.toLocaleString()} with a fix
        </Text>
      </Group>
      {(summary.problems ?? 0) > 0 && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle />}
          title="Not everything could be checked"
        >
          The scan met {summary.problems} problem{summary.problems === 1 ? '' : 's'} (layers, files
          or packages it could not read or match, listed with the findings below), so this image may
          hold more than is shown.
        </Alert>
      )}
      {unmatched && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle />}
          title="No advisory database was imported"
        >
          This image was scanned before any advisory was imported, so its packages were not matched
          against any: 0 vulnerabilities does not mean it is clean. Once an administrator imports
          advisories (berth advisories import), every image is matched again.
        </Alert>
      )}
    </Stack>
  );
}

const tabs = [
  { value: 'vulnerabilities', label: 'Vulnerabilities' },
  { value: 'packages', label: 'Packages' },
  { value: 'history', label: 'History' },
];

/**
 * The findings, the packages and the history, one at a time. The tab is in the URL; changing
 * it starts the next listing afresh (first page, no search, no filter).
 */
function ScanTabs(props: { repository: string; artifact: ArtifactDetail; scan: ScanOverview }) {
  const { repository, artifact, scan } = props;
  const [params, setParams] = useSearchParams();
  const tab = tabs.find((t) => t.value === params.get('tab'))?.value ?? 'vulnerabilities';
  const shown = { repository, digest: artifact.digest, scannedAt: scan.finishedAt };

  return (
    <Tabs
      value={tab}
      onChange={(value) => setParams(value && value !== 'vulnerabilities' ? { tab: value } : {})}
      keepMounted={false}
    >
      <Tabs.List aria-label="Scan results">
        {tabs.map((t) => (
          <Tabs.Tab key={t.value} value={t.value}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      <Tabs.Panel value="vulnerabilities" pt="md">
        <VulnerabilitiesTable
          {...shown}
          layers={artifact.layers.map((layer) => layer.digest)}
          summary={scan.summary}
        />
      </Tabs.Panel>
      <Tabs.Panel value="packages" pt="md">
        <PackagesTable {...shown} />
      </Tabs.Panel>
      <Tabs.Panel value="history" pt="md">
        <HistoryChart {...shown} />
      </Tabs.Panel>
    </Tabs>
  );
}

/**
 * The artifact exists (the page has just read it), so a 404 from its scan says that the registry
 * does not scan.
 */
function scanningOff(error: Error | null): boolean {
  return error instanceof ApiError && error.status === 404;
}
