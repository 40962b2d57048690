import { useQuery } from '@tanstack/react-query';
import { get, segment } from '../../api/client';
import type { ScanOverview, ScanState } from '../../api/types';

/** The advisory database version of a scan matched when nothing had been imported. */
export const noAdvisories = 'none';

/** How often a queued or running scan is asked about again. */
const pollMs = 2000;

/** The API path of an artifact: the scanning endpoints hang under it. */
export function artifactApiPath(repository: string, reference: string): string {
  return `/repositories/${segment(repository)}/artifacts/${segment(reference)}`;
}

/** Queries about an artifact's scan sit under the artifact's, which a delete refreshes. */
export function scanKey(repository: string, reference: string) {
  return ['repository', repository, 'artifact', reference, 'scan'];
}

export function inProgress(status: ScanState | undefined): boolean {
  return status === 'queued' || status === 'running';
}

/** An artifact's scan, asked about every two seconds while it is queued or running. */
export function useArtifactScan(repository: string, reference: string, enabled = true) {
  return useQuery({
    queryKey: scanKey(repository, reference),
    queryFn: () => get<ScanOverview>(`${artifactApiPath(repository, reference)}/scan`),
    refetchInterval: (query) => (inProgress(query.state.data?.status) ? pollMs : false),
    enabled,
  });
}
