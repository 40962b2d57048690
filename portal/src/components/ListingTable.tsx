import { Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { DataTable } from './DataTable';
import { ErrorNotice } from './ErrorNotice';
import type { PagedListing } from './listing';
import { Pager } from './Pager';

interface ListingTableProps<T> {
  listing: PagedListing<T>;
  /** What the pager counts: "tags". */
  noun: string;
  columns: ReactNode[];
  minWidth: number;
  /** Rows light up under the pointer, as they do unless told otherwise. */
  hover?: boolean;
  /** What to say when the page is empty; nothing when unset. */
  empty?: string;
  /** Another error to show in the same place: a change to a row that failed. */
  error?: unknown;
  /** One item's row, with its key. */
  children: (item: T) => ReactNode;
}

/** One page of a server-side listing: what went wrong, the rows, an empty notice and the pager. */
export function ListingTable<T>(props: ListingTableProps<T>) {
  const { listing, noun, empty, error, children: row, hover = true, ...table } = props;
  const { list, query } = listing;
  const data = query.data;

  return (
    <>
      <ErrorNotice error={query.error ?? error} />
      <DataTable {...table} hover={hover} loading={query.isPending}>
        {data?.items.map((item) => row(item))}
      </DataTable>
      {data?.total === 0 && empty && <Text>{empty}</Text>}
      {data && (
        <Pager
          total={data.total}
          page={list.page}
          pageSize={list.pageSize}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
          noun={noun}
        />
      )}
    </>
  );
}
