import { Text } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';
import { DataTable } from './DataTable';
import { ErrorNotice } from './ErrorNotice';
import type { PagedListing } from './listing';
import { pageCount, Pager } from './Pager';

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

/**
 * One page of a server-side listing: what went wrong, the rows, an empty notice and the pager.
 * A page past the end goes to the last one, and shows as loading until that one is in.
 */
export function ListingTable<T>(props: ListingTableProps<T>) {
  const { listing, noun, empty, error, children: row, hover = true, ...table } = props;
  const { list, query } = listing;
  const data = query.data;
  const pastTheEnd = data !== undefined && data.total > 0 && data.items.length === 0;
  useLastPageAtMost(listing);

  return (
    <>
      <ErrorNotice error={query.error ?? error} />
      <DataTable {...table} hover={hover} loading={query.isPending || pastTheEnd}>
        {data?.items.map((item) => row(item))}
      </DataTable>
      {data?.total === 0 && empty && <Text>{empty}</Text>}
      {data && !pastTheEnd && (
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

/**
 * Sends a listing opened past its end (`?page=999` from an old link, or its last rows deleted
 * meanwhile) to its last page, in the URL too, as Harbor's lists do: the server answers such a
 * page with no rows and the true total. Only the answer for the page asked for counts, not the
 * previous page kept on screen while it loads.
 */
function useLastPageAtMost<T>({ list, query }: PagedListing<T>) {
  const total = query.isPlaceholderData ? undefined : query.data?.total;
  const last = total === undefined ? undefined : pageCount(total, list.pageSize);
  const past = last !== undefined && list.page > last;

  useEffect(() => {
    if (past) list.setPage(last);
    // Acts once per page found past the end; setPage is a new function at every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [past, last]);
}
