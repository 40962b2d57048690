import { useQuery } from '@tanstack/react-query';
import { get, segment } from '../../api/client';
import {
  rolePermissions,
  strongestRole,
  type Member,
  type ScanOverview,
  type ScanState,
} from '../../api/types';
import { useWhoami } from '../../app/whoami';
import { useProjectList } from '../projects/queries';

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

/**
 * Whether the signed-in account may ask for a scan in `project`: system administrators may, and
 * members whose strongest role (their own or a group's) holds `scan`. A robot's grants are not
 * visible to it, so it gets the button and the server decides.
 */
export function useMayScan(project: string): boolean {
  const whoami = useWhoami().data;
  const members = useProjectList<Member>(project, 'members').query.data;
  if (!whoami) return false;
  if (whoami.admin || whoami.kind === 'robot') return true;

  const mine = (members ?? []).filter((member) =>
    member.kind === 'user' ? member.name === whoami.name : whoami.groups.includes(member.name),
  );
  const role = strongestRole(mine.map((member) => member.role));

  return role !== undefined && rolePermissions[role].has('scan');
}
