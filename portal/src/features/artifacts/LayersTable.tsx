import { Code, Table } from '@mantine/core';
import type { Layer } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { CopyText } from '../../components/CopyText';
import { DataTable } from '../../components/DataTable';
import { shortDigest } from '../../components/format';
import { Section } from '../../components/Section';

const columns = ['#', 'Digest', 'Size', 'Created by'];

/** An image's layers in order, each with its size and the build step that created it. */
export function LayersTable({ layers }: { layers: Layer[] }) {
  return (
    <Section title={`Layers (${layers.length})`}>
      <DataTable columns={columns} minWidth={700}>
        {layers.map((layer, i) => (
          <Table.Tr key={`${layer.digest}-${i}`}>
            <Table.Td>{i + 1}</Table.Td>
            <Table.Td>
              <CopyText
                value={layer.digest}
                shown={shortDigest(layer.digest)}
                label={`Copy the digest of layer ${i + 1}`}
              />
            </Table.Td>
            <Table.Td>
              <Bytes value={layer.sizeBytes} />
            </Table.Td>
            <Table.Td>
              <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {layer.createdBy ?? 'unknown'}
              </Code>
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Section>
  );
}
