import type { ProjectAction } from '../../api/types';
import { projectOf } from '../repositories/paths';
import { useProject } from './queries';

/** Whether the signed-in account may do `action` in the project it was asked about. */
export type ProjectPermission = (action: ProjectAction) => boolean;

/**
 * What the signed-in account may do in `project`, as GET /projects/{project} says in its
 * `permissions` (the server's own reading of the permission matrix, groups and robot grants
 * included), so that pages offer only what the server would allow.
 *
 * Nothing is allowed until the answer arrives, so a button never shows and then vanishes. The
 * server still checks every call: this only spares people buttons that would be refused.
 */
export function useProjectPermission(project: string): ProjectPermission {
  const held = useProject(project).data?.permissions;

  return (action) => held?.includes(action) ?? false;
}

/** useProjectPermission for the project a repository lives in. */
export function useRepositoryPermission(repository: string): ProjectPermission {
  return useProjectPermission(projectOf(repository));
}
