import { Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../../api/client';
import type { AuditPage } from '../../api/types';
import { TimeCell } from '../../components/cells';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
}

const emptyFilters: Filters = { actor: '', action: '', from: '', to: '' };
const pageSize = 50;

/** The project column shows only where events of several projects are listed. */
function columnsOf(showProject: boolean): string[] {
  const project = showProject ? ['Project'] : [];
  return ['Time', 'Actor', 'Action', ...project, 'Resource', 'Result', 'From'];
}

/**
 * Audit events, newest first, filtered on the server and paged with the API's cursor (`before`,
 * the id of the last event shown).
 */
export function AuditTable({ path, showProject }: { path: string; showProject: boolean }) {
  const [draft, setDraft] = useState(emptyFilters);
  const [filters, setFilters] = useState(emptyFilters);
  const events = useInfiniteQuery({
    queryKey: ['audit', path, filters],
    queryFn: ({ pageParam }) =>
      get<AuditPage>(path, {
        actor: filters.actor,
        action: filters.action,
        from: filters.from ? new Date(filters.from).toISOString() : undefined,
        to: filters.to ? new Date(filters.to).toISOString() : undefined,
        before: pageParam,
        limit: pageSize,
      }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) =>
      setDraft({ ...draft, [key]: e.currentTarget.value }),
  });

  return (
    <Stack>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <Group align="flex-end">
          <TextInput label="Actor" placeholder="alice, robot$ci" {...field('actor')} />
          <TextInput label="Action" placeholder="artifact.push" {...field('action')} />
          <TextInput label="From" type="datetime-local" {...field('from')} />
          <TextInput label="To" type="datetime-local" {...field('to')} />
          <Button type="submit">Filter</Button>
          <Button
            variant="default"
            onClick={() => {
              setDraft(emptyFilters);
              setFilters(emptyFilters);
            }}
          >
            Clear
          </Button>
        </Group>
      </form>
      <ErrorNotice error={events.error} />
      <DataTable columns={columnsOf(showProject)} minWidth={800}>
        {items.map((event) => (
          <Table.Tr key={event.id}>
            <TimeCell value={event.at} />
            <Table.Td>{event.actor}</Table.Td>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {event.action}
              </Text>
            </Table.Td>
            {showProject && <Table.Td>{event.project ?? ''}</Table.Td>}
            <Table.Td style={{ wordBreak: 'break-all' }}>{event.resource ?? ''}</Table.Td>
            <Table.Td>
              <StatusBadge tone={event.result === 'success' ? 'good' : 'bad'}>
                {event.result}
              </StatusBadge>
            </Table.Td>
            <Table.Td>{event.remoteAddr ?? ''}</Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {events.isSuccess && items.length === 0 && <Text>No events match.</Text>}
      {events.hasNextPage && (
        <Button
          variant="default"
          onClick={() => events.fetchNextPage()}
          loading={events.isFetchingNextPage}
          w="fit-content"
        >
          Show older events
        </Button>
      )}
    </Stack>
  );
}
