import { useQuery } from '@tanstack/react-query';
import { get } from '../api/client';
import type { Whoami } from '../api/types';

/** Who the portal is signed in as; the navigation shows system pages to administrators. */
export function useWhoami() {
  return useQuery({
    queryKey: ['whoami'],
    queryFn: () => get<Whoami>('/whoami'),
    staleTime: 60_000,
  });
}
