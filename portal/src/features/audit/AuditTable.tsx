import { Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get } from '../../api/client';
import type { AuditPage } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { formatTime } from '../../components/format';

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
}

const emptyFilters: Filters = { actor: '', action: '', from: '', to: '' };
const pageSize = 50;

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
      <Table.ScrollContainer minWidth={800}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Time</Table.Th>
              <Table.Th>Actor</Table.Th>
              <Table.Th>Action</Table.Th>
              {showProject && <Table.Th>Project</Table.Th>}
              <Table.Th>Resource</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>From</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((event) => (
              <Table.Tr key={event.id}>
                <Table.Td>
                  <Text size="sm">{formatTime(event.at)}</Text>
                </Table.Td>
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
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
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
