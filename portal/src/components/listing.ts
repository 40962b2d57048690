import { keepPreviousData, useQuery, type QueryKey } from '@tanstack/react-query';
import { get } from '../api/client';
import type { Listing } from '../api/types';
import { useListParams } from './listParams';

/**
 * A server-side listing at `path`, searched, sorted and paged by the parameters in the URL
 * (useListParams). The page on screen stays while the next one loads.
 */
export function useListing<T>(
  key: QueryKey,
  path: string,
  defaults?: { pageSize?: number; sort?: string },
) {
  const list = useListParams(defaults);
  const query = useQuery({
    queryKey: [...key, list.query, list.sort, list.page, list.pageSize],
    queryFn: () =>
      get<Listing<T>>(path, {
        search: list.query,
        sort: list.sort,
        page: list.page,
        pageSize: list.pageSize,
      }),
    placeholderData: keepPreviousData,
  });

  return { list, query };
}

export type PagedListing<T> = ReturnType<typeof useListing<T>>;
