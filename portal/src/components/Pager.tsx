import { Group, Pagination, Select, Text } from '@mantine/core';
import { pageSizes } from './listParams';

/** How many pages `total` items fill, `pageSize` to a page: one at least, empty as it may be. */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * Which items a page shows, "11–20 of 45", or "0 of 0" when there are none. A page past the
 * end counts as the last one, which the listing is about to show (ListingTable).
 */
function rangeLabel(total: number, page: number, pageSize: number): string {
  const count = total.toLocaleString();
  if (total === 0) return `0 of ${count}`;

  const shown = Math.min(page, pageCount(total, pageSize));
  const first = (shown - 1) * pageSize + 1;
  const last = Math.min(total, shown * pageSize);

  return `${first.toLocaleString()}–${last.toLocaleString()} of ${count}`;
}

/** Pagination under a server-side listing: pages, page size and where we are. */
export function Pager(props: {
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  noun: string;
}) {
  const pages = pageCount(props.total, props.pageSize);

  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" aria-live="polite">
        {rangeLabel(props.total, props.page, props.pageSize)} {props.noun}
      </Text>
      <Group gap="sm">
        <Select
          aria-label="Rows per page"
          data={pageSizes.map(String)}
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
