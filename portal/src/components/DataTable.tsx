import { Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { LoadingRows } from './LoadingRows';

interface DataTableProps {
  /** The column headings, in order. */
  columns: ReactNode[];
  /** Below this width the table scrolls sideways rather than squeeze its columns. */
  minWidth?: number;
  /** Rows light up under the pointer: for tables whose rows lead somewhere. */
  hover?: boolean;
  /** Shows placeholder rows while the first page loads. */
  loading?: boolean;
  /** The rows. */
  children: ReactNode;
}

/** A striped table under its column headings. */
export function DataTable({ columns, minWidth, hover, loading, children }: DataTableProps) {
  const table = (
    <Table striped highlightOnHover={hover}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((heading, column) => (
            <Table.Th key={column}>{heading}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {loading && <LoadingRows columns={columns.length} />}
        {children}
      </Table.Tbody>
    </Table>
  );
  if (minWidth === undefined) return table;

  return <Table.ScrollContainer minWidth={minWidth}>{table}</Table.ScrollContainer>;
}
