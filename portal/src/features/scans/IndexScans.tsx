import { Table, Text } from '@mantine/core';
import type { ArtifactDetail, ScanOverview } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { platformName } from '../../components/format';
import { DigestLink } from '../artifacts/parts';
import { SeveritySummary } from './SeverityBadges';

type ImageScan = NonNullable<ScanOverview['children']>[number];

const columns = ['Platform', 'Image', 'Scan'];

/** An index's images, each with its own scan; their findings are on each image's page. */
export function IndexScans(props: {
  repository: string;
  artifact: ArtifactDetail;
  scans: ImageScan[];
}) {
  const platformOf = (digest: string) => {
    const child = props.artifact.children.find((c) => c.digest === digest);
    return child?.platform ? platformName(child.platform) : 'unknown';
  };

  return (
    <DataTable columns={columns}>
      {props.scans.map((scan) => (
        <Table.Tr key={scan.digest}>
          <Table.Td>{platformOf(scan.digest)}</Table.Td>
          <Table.Td>
            <DigestLink repository={props.repository} digest={scan.digest} />
          </Table.Td>
          <Table.Td>
            {scan.status === 'done' && scan.summary ? (
              <SeveritySummary summary={scan.summary} compact />
            ) : (
              <Text size="sm">{scan.status}</Text>
            )}
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}
