import { Alert, Anchor, List, Popover, Stack, Table, Text } from '@mantine/core';
import type { ScanSummary, Vulnerability, VulnerabilityPage } from '../../api/types';
import { shortDigest } from '../../components/format';
import { ListingTable } from '../../components/ListingTable';
import { artifactApiPath, scanKey } from './queries';
import { useScanListing } from './scanListing';
import { SeverityBadge } from './SeverityBadges';
import { statusLabels } from './severity';
import { FindingFilters, useFindingFilters } from './VulnerabilityFilters';

const columns = ['ID', 'Severity', 'Package', 'Installed', 'Fixed in', 'Status', 'Layer'];

interface VulnerabilitiesTableProps {
  repository: string;
  /** The image's digest. */
  digest: string;
  /** When the scan finished: a new scan loads the findings again. */
  scannedAt: string | undefined;
  /** The image's layer digests, in order, to number the layer each finding was found in. */
  layers: string[];
  summary: ScanSummary | undefined;
}

/** An image's findings, most severe first, filtered and paged on the server. */
export function VulnerabilitiesTable(props: VulnerabilitiesTableProps) {
  const filters = useFindingFilters();
  const findings = useScanListing<VulnerabilityPage>(
    [...scanKey(props.repository, props.digest), 'vulnerabilities', props.scannedAt],
    `${artifactApiPath(props.repository, props.digest)}/vulnerabilities`,
    filters.values,
  );
  const { list } = findings;
  const filtered = Object.values(filters.values).some(Boolean) || Boolean(list.query);
  const unmatched = findings.query.data?.matched === false;

  const problems = findings.query.data?.problems ?? [];

  return (
    <Stack>
      {problems.length > 0 && <ScanProblems problems={problems} />}
      <FindingFilters filters={filters} list={list} summary={props.summary} />
      <ListingTable
        listing={findings}
        noun="findings"
        empty={emptyText(filtered, unmatched)}
        columns={columns}
        minWidth={960}
        hover={false}
      >
        {(finding) => (
          <FindingRow
            key={`${finding.id} ${finding.package.purl}`}
            finding={finding}
            layers={props.layers}
          />
        )}
      </ListingTable>
    </Stack>
  );
}

/** What the scan could not read or match: the findings may be incomplete. */
function ScanProblems({ problems }: { problems: { kind: string; detail: string }[] }) {
  return (
    <Alert color="orange" variant="light" title="Not everything could be checked">
      <List size="sm">
        {problems.slice(0, 20).map((problem, i) => (
          <List.Item key={i}>
            {problem.kind}: {problem.detail}
          </List.Item>
        ))}
      </List>
      {problems.length > 20 && <Text size="sm">and {problems.length - 20} more</Text>}
    </Alert>
  );
}

function FindingRow({ finding, layers }: { finding: Vulnerability; layers: string[] }) {
  const layer = layers.indexOf(finding.layerDigest);
  const { name, sourceName } = finding.package;

  return (
    <Table.Tr>
      <IdCell finding={finding} />
      <Table.Td>
        <SeverityBadge level={finding.severity} title={ratings(finding)} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{name}</Text>
        {sourceName && sourceName !== name && <Text size="xs">from {sourceName}</Text>}
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {finding.installedVersion}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {finding.fixedVersion ?? '—'}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={finding.note}>
          {statusLabels[finding.status]}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" title={finding.layerDigest} style={{ whiteSpace: 'nowrap' }}>
          {layer >= 0 ? `#${layer + 1}` : shortDigest(finding.layerDigest)}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** The finding's id, its aliases and what it is about. */
function IdCell({ finding }: { finding: Vulnerability }) {
  return (
    <Table.Td>
      <Text
        size="sm"
        ff="monospace"
        title={finding.aliases.join(', ') || undefined}
        style={{ whiteSpace: 'nowrap' }}
      >
        {finding.id}
      </Text>
      {finding.aliases.length > 0 && <Aliases id={finding.id} aliases={finding.aliases} />}
      {finding.summary && (
        <Text size="xs" c="dimmed" maw={360}>
          {finding.summary}
        </Text>
      )}
    </Table.Td>
  );
}

/** The other names of a finding (DSA-…, GHSA-…), behind a button: a tooltip the keyboard reaches. */
function Aliases({ id, aliases }: { id: string; aliases: string[] }) {
  const noun = aliases.length === 1 ? 'alias' : 'aliases';

  return (
    <Popover position="bottom-start" withArrow shadow="md" returnFocus>
      <Popover.Target>
        <Anchor
          component="button"
          type="button"
          size="xs"
          display="block"
          aria-label={`+${aliases.length} ${noun} of ${id}`}
        >
          +{aliases.length} {noun}
        </Anchor>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={2}>
          {aliases.map((alias) => (
            <Text key={alias} size="sm" ff="monospace">
              {alias}
            </Text>
          ))}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function emptyText(filtered: boolean, unmatched: boolean): string {
  if (unmatched) return 'Nothing was matched: no advisory had been imported.';

  return filtered ? 'No finding matches these filters.' : 'No vulnerability was found.';
}

/** Every rating the sources gave, and whose was chosen: "debian: unimportant (chosen)". */
function ratings(finding: Vulnerability): string {
  return finding.severities
    .map((rating) => {
      const chosen = rating.source === finding.severitySource ? ' (chosen)' : '';
      return `${rating.source}: ${rating.value}${chosen}`;
    })
    .join('; ');
}
