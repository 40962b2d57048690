// The permission matrix: what each project role may do, and what only system administrators
// may do. docs/access-control.md publishes the same table (test/unit/auth/matrix-docs.test.ts
// keeps the two equal) and test/http/auth-permissions.test.ts tries every cell on a server.

export const projectRoles = [
  'limited-guest',
  'guest',
  'developer',
  'maintainer',
  'project-admin',
] as const;
export type ProjectRole = (typeof projectRoles)[number];

/** Everything a principal can be allowed to do inside one project. */
export const projectActions = [
  'read-project',
  'pull',
  'read-sbom',
  'read-quota',
  'read-members',
  'read-audit',
  'read-policies',
  'push',
  'delete-tag',
  'delete-artifact',
  'delete-repository',
  'scan',
  'read-robots',
  'manage-policies',
  'manage-robots',
  'manage-members',
  'update-project',
  'delete-project',
  'manage-quota',
] as const;
export type ProjectAction = (typeof projectActions)[number];

/** Actions outside any project. */
export const systemActions = [
  'create-project',
  'list-projects',
  'manage-users',
  'manage-system-robots',
  'read-system-audit',
  'manage-settings',
  'rotate-keys',
  'list-catalog',
] as const;
export type SystemAction = (typeof systemActions)[number];

/**
 * Each role's actions. Roles are cumulative (every role holds what the one before it holds),
 * except `manage-quota`, which belongs to system administrators only: a project admin must not
 * be able to lift their own limit.
 */
const added: Record<ProjectRole, ProjectAction[]> = {
  'limited-guest': ['read-project', 'pull', 'read-sbom', 'read-quota'],
  guest: ['read-members', 'read-audit', 'read-policies'],
  developer: ['push', 'delete-tag'],
  maintainer: ['delete-artifact', 'delete-repository', 'scan', 'read-robots', 'manage-policies'],
  'project-admin': ['manage-robots', 'manage-members', 'update-project', 'delete-project'],
};

export const rolePermissions: Record<ProjectRole, ReadonlySet<ProjectAction>> = (() => {
  const result = {} as Record<ProjectRole, ReadonlySet<ProjectAction>>;
  const held: ProjectAction[] = [];
  for (const role of projectRoles) {
    held.push(...added[role]);
    result[role] = new Set(held);
  }

  return result;
})();

/** What anyone, signed in or not, may do in a public project. */
export const publicProjectActions: ReadonlySet<ProjectAction> = new Set([
  'read-project',
  'pull',
  'read-sbom',
]);

/** The strongest of several roles (a user's own membership and their groups' memberships). */
export function strongestRole(roles: Iterable<ProjectRole>): ProjectRole | undefined {
  let best = -1;
  for (const role of roles) best = Math.max(best, projectRoles.indexOf(role));

  return best < 0 ? undefined : projectRoles[best];
}

export function isProjectRole(value: unknown): value is ProjectRole {
  return typeof value === 'string' && (projectRoles as readonly string[]).includes(value);
}

export function isProjectAction(value: unknown): value is ProjectAction {
  return typeof value === 'string' && (projectActions as readonly string[]).includes(value);
}
