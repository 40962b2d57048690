import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/** The page sizes a listing offers (the API takes up to 100). */
export const pageSizes = [10, 20, 50, 100];

/** The highest page the API takes (`pageQuery` in src/api/schemas.ts). */
const maxPage = 1_000_000;

/**
 * Page, page size and search of a server-side listing, kept in the URL so that a listing can be
 * linked to, reloaded and navigated with the browser's back button. The search is sent once the
 * user pauses typing. A page or size the URL gets wrong (`page=x`, `size=7`) reads as the
 * first page or the default size, so that the API is never asked for what it refuses.
 */
export function useListParams(defaults: { pageSize?: number; sort?: string } = {}) {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [debounced] = useDebouncedValue(search, 300);

  const page = Math.min(maxPage, Math.max(1, Math.floor(Number(params.get('page')) || 1)));
  const defaultSize = defaults.pageSize ?? 20;
  const askedSize = Number(params.get('size') ?? defaultSize);
  const pageSize = pageSizes.includes(askedSize) ? askedSize : defaultSize;
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
