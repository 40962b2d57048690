import { Code, Table } from '@mantine/core';
import type { Layer } from '../../api/types';
import { Bytes } from '../../components/Bytes';
import { CopyText } from '../../components/CopyText';
import { shortDigest } from '../../components/format';
import { Section } from './parts';

/** An image's layers in order, each with its size and the build step that created it. */
export function LayersTable({ layers }: { layers: Layer[] }) {
  return (
    <Section title={`Layers (${layers.length})`}>
      <Table.ScrollContainer minWidth={700}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>Digest</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Created by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
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
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Section>
  );
}
