import { Group, Pagination, Select, Text } from '@mantine/core';

/** Pagination under a server-side listing: pages, page size and where we are. */
export function Pager(props: {
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  noun: string;
}) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const first = props.total === 0 ? 0 : (props.page - 1) * props.pageSize + 1;
  const last = Math.min(props.total, props.page * props.pageSize);

  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" aria-live="polite">
        {first}–{last} of {props.total.toLocaleString()} {props.noun}
      </Text>
      <Group gap="sm">
        <Select
          aria-label="Rows per page"
          data={['10', '20', '50', '100']}
          value={String(props.pageSize)}
          onChange={(v) => v && props.onPageSize(Number(v))}
          w={90}
          allowDeselect={false}
        />
        <Pagination
          total={pages}
          value={Math.min(props.page, pages)}
          onChange={props.onPage}
          siblings={1}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
          getItemProps={(page) => ({ 'aria-label': `Page ${page}` })}
        />
      </Group>
    </Group>
  );
}
