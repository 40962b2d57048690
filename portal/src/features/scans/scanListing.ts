import { keepPreviousData, useQuery, type QueryKey } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { get } from '../../api/client';
import type { Listing } from '../../api/types';
import { useListParams } from '../../components/listParams';

/**
 * A filter of a scan's listing, kept in the URL beside the listing's page and search (so a
 * filtered view can be linked to); changing it goes back to the first page.
 */
export function useUrlFilter(name: string): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const set = (value: string) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        next.delete('page');
        return next;
      },
      { replace: true },
    );

  return [params.get(name) ?? '', set];
}

/**
 * One page of a scan's findings or packages: searched and paged on the server like every
 * listing (useListParams), with the listing's own filters.
 */
export function useScanListing<T extends Listing<unknown>>(
  key: QueryKey,
  path: string,
  filters: Record<string, string>,
) {
  const list = useListParams({ pageSize: 10 });
  const query = useQuery({
    queryKey: [...key, filters, list.query, list.page, list.pageSize],
    queryFn: () =>
      get<T>(path, { ...filters, search: list.query, page: list.page, pageSize: list.pageSize }),
    placeholderData: keepPreviousData,
  });

  return { list, query };
}
