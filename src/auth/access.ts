import type { AccountStore, ProjectRecord, RobotGrant } from '../metadata/index.js';
import {
  isProjectAction,
  isProjectRole,
  projectActions,
  publicProjectActions,
  rolePermissions,
  type ProjectAction,
  type SystemAction,
} from './permissions.js';
import type { Principal, RobotPrincipal } from './principal.js';
import { TtlCache } from './cache.js';
import { globMatches } from './glob.js';

export interface AccessOptions {
  /** Whether anonymous requests may pull from public projects. */
  anonymousPull: boolean;
  /** Who may create projects: every signed-in user, or system admins only. */
  projectCreation: 'everyone' | 'admins';
  /** How long project and membership lookups are reused before asking the database again. */
  cacheMs: number;
}

const noActions: ReadonlySet<ProjectAction> = new Set();
const allActions: ReadonlySet<ProjectAction> = new Set(projectActions);

/**
 * Decides what a principal may do. Memberships and projects are cached for a few seconds: every
 * registry request asks, and a change made on this node clears the cache at once (other nodes
 * see it within `cacheMs`).
 */
export class AccessControl {
  private readonly projects = new TtlCache<ProjectRecord | null>();
  private readonly memberships = new TtlCache<Map<number, string[]>>();

  constructor(
    private readonly accounts: AccountStore,
    readonly options: AccessOptions,
  ) {}

  async project(name: string): Promise<ProjectRecord | undefined> {
    const cached = this.projects.get(name);
    if (cached !== undefined) return cached ?? undefined;

    const project = (await this.accounts.getProject(name)) ?? null;
    this.projects.set(name, project, this.options.cacheMs);
    return project ?? undefined;
  }

  /**
   * What `principal` may do in `projectName`, and in `repository` when given (a robot's grant can
   * be narrowed to repository patterns).
   */
  async projectActions(
    principal: Principal,
    projectName: string,
    repository?: string,
  ): Promise<ReadonlySet<ProjectAction>> {
    const project = await this.project(projectName);
    if (!project) return noActions;
    if (principal.kind === 'user' && principal.admin) return allActions;

    const actions = new Set<ProjectAction>();
    if (project.public && (principal.kind !== 'anonymous' || this.options.anonymousPull)) {
      for (const action of publicProjectActions) actions.add(action);
    }
    if (principal.kind === 'user') {
      const roles = (await this.membershipsOf(principal.name, principal.groups)).get(project.id);
      for (const role of roles ?? []) {
        if (isProjectRole(role)) for (const action of rolePermissions[role]) actions.add(action);
      }
    }
    if (principal.kind === 'robot') {
      for (const action of robotActions(principal, project, repository)) actions.add(action);
    }

    return actions;
  }

  async can(
    principal: Principal,
    action: ProjectAction,
    project: string,
    repository?: string,
  ): Promise<boolean> {
    return (await this.projectActions(principal, project, repository)).has(action);
  }

  systemCan(principal: Principal, action: SystemAction): boolean {
    if (principal.kind === 'user' && principal.admin) return true;
    if (principal.kind !== 'user') return action === 'list-projects';

    if (action === 'create-project') return this.options.projectCreation === 'everyone';
    return action === 'list-projects' || action === 'list-catalog';
  }

  /**
   * Ids of the projects where the principal may do `action` in the whole project, besides the
   * public ones; 'all' for a robot granted it in every project (admins: handled by callers).
   * Every role holds read-project and pull, so a user's are the projects where they have a role.
   * A robot grant narrowed to repository patterns gives no project-wide action, so it does not
   * count: listing such a project would promise a GET /projects/P that answers 404.
   */
  async projectIdsWith(principal: Principal, action: ProjectAction): Promise<number[] | 'all'> {
    if (principal.kind === 'user') {
      return [...(await this.membershipsOf(principal.name, principal.groups)).keys()];
    }
    if (principal.kind !== 'robot') return [];

    const ids: number[] = [];
    for (const grant of principal.grants) {
      if (grant.repositories?.length || !grant.actions.includes(action)) continue;
      if (grant.project === '*') return 'all';

      const project = await this.project(grant.project);
      if (project) ids.push(project.id);
    }
    return ids;
  }

  /** Forget cached projects and memberships after a change on this node. */
  invalidate(): void {
    this.projects.clear();
    this.memberships.clear();
  }

  private async membershipsOf(username: string, groups: string[]): Promise<Map<number, string[]>> {
    const key = `${username}\n${groups.join('\n')}`;
    const cached = this.memberships.get(key);
    if (cached) return cached;

    const memberships = await this.accounts.membershipsOf(username, groups);
    this.memberships.set(key, memberships, this.options.cacheMs);
    return memberships;
  }
}

function robotActions(
  robot: RobotPrincipal,
  project: ProjectRecord,
  repository: string | undefined,
): ProjectAction[] {
  // A project robot acts only inside its own project, whatever its grants say.
  if (robot.projectId !== null && robot.projectId !== project.id) return [];

  return robot.grants
    .filter(
      (grant) =>
        grant.project === project.name || (grant.project === '*' && robot.projectId === null),
    )
    .filter((grant) => grantCoversRepository(grant, project.name, repository))
    .flatMap((grant) => grant.actions.filter(isProjectAction));
}

/**
 * A grant without repository patterns covers the whole project. One with patterns covers only
 * matching repositories, so it never grants project-wide actions (repository is undefined).
 */
function grantCoversRepository(
  grant: RobotGrant,
  project: string,
  repository: string | undefined,
): boolean {
  if (!grant.repositories || grant.repositories.length === 0) return true;
  if (repository === undefined) return false;

  const below = repository === project ? '' : repository.slice(project.length + 1);
  return grant.repositories.some((pattern) => globMatches(pattern, below));
}
