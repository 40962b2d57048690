import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/**
 * Page, page size and search of a server-side listing, kept in the URL so that a listing can be
 * linked to, reloaded and navigated with the browser's back button. The search is sent once the
 * user pauses typing.
 */
export function useListParams(defaults: { pageSize?: number; sort?: string } = {}) {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [debounced] = useDebouncedValue(search, 300);

  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const pageSize = Number(params.get('size') ?? defaults.pageSize ?? 20) || 20;
  const sort = params.get('sort') ?? defaults.sort ?? '';

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null || value === '') next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace: true },
    );

  useEffect(() => {
    if ((params.get('q') ?? '') !== debounced) update({ q: debounced, page: null });
    // Only a settled search changes the URL.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  return {
    page,
    pageSize,
    sort,
    search,
    query: debounced,
    setSearch,
    setPage: (value: number) => update({ page: value === 1 ? null : String(value) }),
    setPageSize: (value: number) => update({ size: String(value), page: null }),
    setSort: (value: string) => update({ sort: value, page: null }),
  };
}
