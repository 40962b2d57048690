import { Anchor, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { del } from '../api/client';
import { ConfirmButton } from './ConfirmButton';
import { formatTime } from './format';

/** A row's first cell: the name of what the row shows, linked to its page. */
export function LinkCell({ to, children }: { to: string; children: string }) {
  return (
    <Table.Td>
      <Anchor component={Link} to={to} fw={500}>
        {children}
      </Anchor>
    </Table.Td>
  );
}

/** A cell with a time, or the word for its absence ("never" unless told). */
export function TimeCell({ value, never }: { value: string | null; never?: string }) {
  return (
    <Table.Td>
      <Text size="sm">{formatTime(value, never)}</Text>
    </Table.Td>
  );
}

interface DeleteCellProps {
  /** The button's accessible name and the confirmation's title: "Delete tag v2". */
  label: string;
  /** What will happen, in a sentence. */
  message: ReactNode;
  /** Where the API deletes what the row shows. */
  path: string;
  onDeleted: () => Promise<unknown>;
  /** The button's own text, "Delete" unless told. */
  text?: string;
}

/** A row's last cell: deletes what the row shows once the user confirms, then refreshes. */
export function DeleteCell({ label, message, path, onDeleted, text = 'Delete' }: DeleteCellProps) {
  const confirm = async () => {
    await del(path);
    await onDeleted();
  };

  return (
    <Table.Td>
      <ConfirmButton size="xs" text={text} label={label} message={message} onConfirm={confirm} />
    </Table.Td>
  );
}
