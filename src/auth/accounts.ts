import type {
  AccountStore,
  Listing,
  MemberKind,
  MemberRecord,
  ProjectRecord,
  RobotGrant,
  RobotRecord,
  UserRecord,
} from '../metadata/index.js';
import type { AccessControl } from './access.js';
import type { AuditLog } from './audit.js';
import { robotPrefix } from './authenticator.js';
import { AuthError } from './errors.js';
import {
  isProjectAction,
  isProjectRole,
  projectActions,
  type ProjectAction,
  type SystemAction,
} from './permissions.js';
import { isSystemAdmin, principalName, type Principal } from './principal.js';
import { generateSecret, hashPassword, hashSecret, verifyPassword } from './secrets.js';
import type { LoginGuard } from './login-guard.js';
import {
  checkLabels,
  checkProjectName,
  checkRepositoryPattern,
  checkRobotName,
  checkUserName,
  maxPatternsPerRobot,
} from './validation.js';

/** Robots may read and write content, never change who may do what. */
export const robotActions: readonly ProjectAction[] = [
  'read-project',
  'pull',
  'read-sbom',
  'read-quota',
  'read-audit',
  'read-policies',
  'push',
  'delete-tag',
  'delete-artifact',
  'delete-repository',
  'scan',
];

export interface Actor {
  principal: Principal;
  remoteAddr?: string;
}

export interface Page {
  offset: number;
  limit: number;
}

export interface ProjectInput {
  name: string;
  public?: boolean;
  labels?: Record<string, string>;
  quotaBytes?: number | null;
}

export interface ProjectUpdate {
  public?: boolean;
  labels?: Record<string, string>;
  quotaBytes?: number | null;
  quotaWarning?: number;
}

export interface UserInput {
  username: string;
  password: string;
  email?: string | null;
  displayName?: string | null;
  admin?: boolean;
}

export interface UserUpdate {
  email?: string | null;
  displayName?: string | null;
  admin?: boolean;
  disabled?: boolean;
}

export interface RobotInput {
  /** Short name; the login name adds the prefix (and the project for project robots). */
  name: string;
  /** For a project robot: its project. System robots have none. */
  project?: string;
  description?: string | null;
  grants: RobotGrant[];
  /** Milliseconds since the epoch, or null for a robot that never expires. */
  expiresAt?: number | null;
}

export interface RobotUpdate {
  description?: string | null;
  grants?: RobotGrant[];
  expiresAt?: number | null;
  disabled?: boolean;
}

export interface AccountOptions {
  /** Lifetime of a new robot when the request names none; 0 for never. */
  robotDefaultTtlMs: number;
}

/**
 * Projects, members, users and robots: every change checks the actor's permission and lands in
 * the audit log. Reads that the actor may not make answer "not found", so that names of private
 * projects do not leak.
 */
export class AccountService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly access: AccessControl,
    private readonly audit: AuditLog,
    private readonly guard: LoginGuard,
    private readonly options: AccountOptions,
    /** Called after any change, so that caches of credentials and permissions start over. */
    private readonly onChange: () => void,
  ) {}

  // Projects

  async createProject(actor: Actor, input: ProjectInput): Promise<ProjectRecord> {
    this.requireSystem(actor, 'create-project');
    checkProjectName(input.name);
    checkLabels(input.labels ?? {});
    if (input.quotaBytes !== undefined && input.quotaBytes !== null) {
      this.requireSystem(actor, 'manage-settings');
    }
    if (await this.accounts.getProject(input.name)) {
      throw new AuthError('conflict', `project "${input.name}" already exists`);
    }

    const project = await this.accounts.createProject({
      name: input.name,
      public: input.public ?? false,
      labels: input.labels ?? {},
      quotaBytes: input.quotaBytes ?? null,
      createdBy: principalName(actor.principal),
    });
    if (actor.principal.kind === 'user') {
      await this.accounts.putMember(project.id, 'user', actor.principal.name, 'project-admin');
    }

    this.changed(actor, 'project.create', project.name, project.name, { public: project.public });
    return project;
  }

  /**
   * A push into a project that does not exist creates it, private, when the pushing user may
   * create projects (as registries with per-user namespaces do). Robots never create projects.
   * Returns whether the project exists afterwards.
   */
  async createOnPush(principal: Principal, name: string): Promise<boolean> {
    if (principal.kind !== 'user' || !this.access.systemCan(principal, 'create-project'))
      return false;
    try {
      checkProjectName(name);
      await this.createProject({ principal }, { name });
    } catch (err) {
      // A concurrent push may have created it first; anything else means no project.
      if (!(err instanceof AuthError && err.kind === 'conflict')) return false;
    }
    return true;
  }

  /** The project, with what the actor may do in the whole of it in the matrix's order. */
  async getProject(
    actor: Actor,
    name: string,
  ): Promise<{ project: ProjectRecord; permissions: ProjectAction[] }> {
    const { actions } = await this.authorizeProject(actor, name, 'read-project');
    const project = (await this.accounts.getProject(name)) as ProjectRecord;

    return { project, permissions: projectActions.filter((action) => actions.has(action)) };
  }

  /**
   * The projects the actor may read (`read-project`), or those where it may do `action`, which
   * the registry's catalog uses with `pull`.
   */
  async listProjects(
    actor: Actor,
    options: Page & { search?: string; action?: ProjectAction },
  ): Promise<Listing<ProjectRecord>> {
    const { action = 'read-project', ...page } = options;
    const ids = isSystemAdmin(actor.principal)
      ? 'all'
      : await this.access.projectIdsWith(actor.principal, action);
    const visibleTo = ids === 'all' ? undefined : ids;
    const anonymousHidden =
      actor.principal.kind === 'anonymous' && !this.access.options.anonymousPull;
    if (anonymousHidden) return { items: [], total: 0 };

    return this.accounts.listProjects({ ...page, visibleTo });
  }

  async updateProject(actor: Actor, name: string, update: ProjectUpdate): Promise<ProjectRecord> {
    await this.requireProject(actor, name, 'update-project');
    if (update.quotaBytes !== undefined || update.quotaWarning !== undefined) {
      await this.requireProject(actor, name, 'manage-quota');
    }
    if (update.labels) checkLabels(update.labels);
    if (
      update.quotaWarning !== undefined &&
      !(update.quotaWarning > 0 && update.quotaWarning <= 1)
    ) {
      throw new AuthError('invalid', 'quotaWarning is a fraction between 0 and 1');
    }

    await this.accounts.updateProject(name, update);
    this.changed(actor, 'project.update', name, name, { ...update });
    return (await this.accounts.getProject(name)) as ProjectRecord;
  }

  async deleteProject(actor: Actor, name: string): Promise<void> {
    await this.requireProject(actor, name, 'delete-project');
    await this.accounts.deleteProject(name);
    this.changed(actor, 'project.delete', name, name);
  }

  // Members

  async listMembers(actor: Actor, project: string): Promise<MemberRecord[]> {
    const record = await this.requireProject(actor, project, 'read-members');
    return this.accounts.listMembers(record.id);
  }

  async putMember(
    actor: Actor,
    project: string,
    member: { kind: MemberKind; name: string; role: string },
  ): Promise<MemberRecord> {
    const record = await this.requireProject(actor, project, 'manage-members');
    if (!isProjectRole(member.role))
      throw new AuthError('invalid', `unknown role "${member.role}"`);
    if (member.kind === 'user' && !(await this.accounts.getUser(member.name))) {
      throw new AuthError('not-found', `user "${member.name}" does not exist`);
    }
    if (member.kind === 'group' && (member.name.length === 0 || member.name.length > 256)) {
      throw new AuthError('invalid', 'a group name is 1 to 256 characters');
    }

    await this.accounts.putMember(record.id, member.kind, member.name, member.role);
    this.changed(actor, 'member.put', project, `${member.kind}:${member.name}`, {
      role: member.role,
    });
    const members = await this.accounts.listMembers(record.id);
    return members.find((m) => m.kind === member.kind && m.name === member.name) as MemberRecord;
  }

  async deleteMember(actor: Actor, project: string, kind: MemberKind, name: string): Promise<void> {
    const record = await this.requireProject(actor, project, 'manage-members');
    if (!(await this.accounts.deleteMember(record.id, kind, name))) {
      throw new AuthError('not-found', `${kind} "${name}" is not a member of "${project}"`);
    }
    this.changed(actor, 'member.delete', project, `${kind}:${name}`);
  }

  // Users

  /**
   * On first start with no accounts at all, creates `admin`. Returns the password when Berth
   * generated it, so the caller can show it once.
   */
  async bootstrapAdmin(password: string | undefined): Promise<string | undefined> {
    if ((await this.accounts.countUsers()) > 0) return undefined;

    const chosen = password ?? generateSecret();
    await this.accounts.createUser({
      username: 'admin',
      email: null,
      displayName: 'Administrator',
      passwordHash: await hashPassword(chosen),
      source: 'local',
      admin: true,
    });
    this.audit.record('system', {
      action: 'user.create',
      resource: 'admin',
      detail: { admin: true },
    });
    return password === undefined ? chosen : undefined;
  }

  async createUser(actor: Actor, input: UserInput): Promise<UserRecord> {
    this.requireSystem(actor, 'manage-users');
    checkUserName(input.username);
    // "Admin" beside "admin" would read as one person in the audit log and the portal.
    const taken = await this.accounts.getUserIgnoringCase(input.username);
    if (taken) {
      const same = taken.username === input.username;
      throw new AuthError(
        'conflict',
        same
          ? `user "${input.username}" already exists`
          : `user "${taken.username}" already exists; names differing only in case are one name`,
      );
    }

    const user = await this.accounts.createUser({
      username: input.username,
      email: input.email ?? null,
      displayName: input.displayName ?? null,
      passwordHash: await hashPassword(input.password),
      source: 'local',
      admin: input.admin ?? false,
    });
    this.changed(actor, 'user.create', null, user.username, { admin: user.admin });
    return user;
  }

  async getUser(actor: Actor, username: string): Promise<UserRecord> {
    if (!this.isSelf(actor, username)) this.requireSystem(actor, 'manage-users');
    const user = await this.accounts.getUser(username);
    if (!user) throw new AuthError('not-found', `user "${username}" does not exist`);

    return user;
  }

  async listUsers(actor: Actor, options: Page & { search?: string }): Promise<Listing<UserRecord>> {
    this.requireSystem(actor, 'manage-users');
    return this.accounts.listUsers(options);
  }

  async updateUser(actor: Actor, username: string, update: UserUpdate): Promise<UserRecord> {
    const self = this.isSelf(actor, username);
    if (!self || update.admin !== undefined || update.disabled !== undefined) {
      this.requireSystem(actor, 'manage-users');
    }
    if (self && (update.admin === false || update.disabled === true)) {
      throw new AuthError('invalid', 'an administrator cannot demote or disable themselves');
    }
    await this.getUser(actor, username);

    await this.accounts.updateUser(username, {
      ...update,
      ...(update.disabled ? { tokensValidAfter: Date.now() } : {}),
    });
    this.changed(actor, 'user.update', null, username, { ...update });
    return (await this.accounts.getUser(username)) as UserRecord;
  }

  /** Admins set anyone's password; a user changes their own by giving the current one. */
  async setPassword(
    actor: Actor,
    username: string,
    password: string,
    currentPassword?: string,
  ): Promise<void> {
    const user = await this.getUser(actor, username);
    if (user.source !== 'local') {
      throw new AuthError(
        'invalid',
        `"${username}" signs in through ${user.source}; its password is kept there`,
      );
    }
    if (!isSystemAdmin(actor.principal))
      await this.proveCurrentPassword(actor, user, currentPassword);

    await this.accounts.updateUser(username, {
      passwordHash: await hashPassword(password),
      tokensValidAfter: Date.now(),
    });
    this.changed(actor, 'user.password', null, username);
  }

  /**
   * A new CLI secret for the calling OIDC user, shown once: registry clients cannot follow a
   * browser sign-in, so they use it as the password. The old secret stops working at once, and
   * so do refresh tokens issued before (a leaked secret may have made some).
   */
  async regenerateCliSecret(actor: Actor): Promise<{ username: string; secret: string }> {
    const principal = actor.principal;
    if (principal.kind !== 'user') throw new AuthError('denied', 'only users have a CLI secret');
    if (principal.source !== 'oidc') {
      throw new AuthError(
        'invalid',
        `"${principal.name}" signs in with a password, which registry clients accept as it is`,
      );
    }

    const secret = generateSecret();
    await this.accounts.updateUser(principal.name, {
      cliSecretHash: hashSecret(secret),
      tokensValidAfter: Date.now(),
    });
    this.changed(actor, 'user.cli-secret', null, principal.name);
    return { username: principal.name, secret };
  }

  async deleteUser(actor: Actor, username: string): Promise<void> {
    this.requireSystem(actor, 'manage-users');
    if (this.isSelf(actor, username)) throw new AuthError('invalid', 'you cannot delete yourself');
    if (!(await this.accounts.deleteUser(username))) {
      throw new AuthError('not-found', `user "${username}" does not exist`);
    }
    this.changed(actor, 'user.delete', null, username);
  }

  // Robots

  async createRobot(
    actor: Actor,
    input: RobotInput,
  ): Promise<{ robot: RobotRecord; secret: string }> {
    checkRobotName(input.name);
    const project =
      input.project === undefined ? undefined : await this.robotProject(actor, input.project);
    if (!project) this.requireSystem(actor, 'manage-system-robots');
    const grants = this.checkGrants(input.grants, project?.name);

    const name = project
      ? `${robotPrefix}${project.name}+${input.name}`
      : `${robotPrefix}${input.name}`;
    if (await this.accounts.getRobot(name))
      throw new AuthError('conflict', `robot "${name}" already exists`);

    // A robot born expired could never sign in; an update may still set a past time, to end
    // a robot now while keeping its record and grants.
    if (input.expiresAt != null && input.expiresAt <= Date.now())
      throw new AuthError('invalid', 'expiresAt is in the past: a new robot must expire later');

    const secret = generateSecret();
    const robot = await this.accounts.createRobot({
      name,
      projectId: project?.id ?? null,
      description: input.description ?? null,
      secretHash: hashSecret(secret),
      grants,
      expiresAt: this.expiry(input.expiresAt),
      createdBy: principalName(actor.principal),
    });
    this.changed(actor, 'robot.create', project?.name ?? null, name, {
      grants,
      expiresAt: robot.expiresAt,
    });
    return { robot, secret };
  }

  async listRobots(actor: Actor, project: string | undefined): Promise<RobotRecord[]> {
    if (project === undefined) {
      this.requireSystem(actor, 'manage-system-robots');
      return this.accounts.listRobots(null);
    }

    const record = await this.requireProject(actor, project, 'read-robots');
    return this.accounts.listRobots(record.id);
  }

  async getRobot(actor: Actor, name: string): Promise<RobotRecord> {
    return this.robotFor(actor, name, 'read-robots');
  }

  async updateRobot(actor: Actor, name: string, update: RobotUpdate): Promise<RobotRecord> {
    const robot = await this.robotFor(actor, name, 'manage-robots');
    const project =
      robot.projectId === null ? undefined : await this.accounts.getProjectById(robot.projectId);
    const grants = update.grants && this.checkGrants(update.grants, project?.name);

    await this.accounts.updateRobot(name, {
      description: update.description,
      grants,
      disabled: update.disabled,
      expiresAt: update.expiresAt === undefined ? undefined : this.expiry(update.expiresAt),
      // Disabling ends the robot's tokens for good: enabling it again does not revive them.
      ...(update.disabled ? { tokensValidAfter: Date.now() } : {}),
    });
    this.changed(actor, 'robot.update', project?.name ?? null, name, { ...update });
    return (await this.accounts.getRobot(name)) as RobotRecord;
  }

  /** A new secret, shown once; the old one stops working at once. */
  async rotateRobotSecret(actor: Actor, name: string): Promise<string> {
    const robot = await this.robotFor(actor, name, 'manage-robots');
    const secret = generateSecret();

    await this.accounts.updateRobot(name, {
      secretHash: hashSecret(secret),
      tokensValidAfter: Date.now(),
    });
    this.changed(actor, 'robot.rotate', await this.projectName(robot), name);
    return secret;
  }

  async deleteRobot(actor: Actor, name: string): Promise<void> {
    const robot = await this.robotFor(actor, name, 'manage-robots');
    await this.accounts.deleteRobot(name);
    this.changed(actor, 'robot.delete', await this.projectName(robot), name);
  }

  // Checks

  /**
   * The project, if the actor may do `action` in it (in `repository`, when the action is on
   * one: a robot's grant may name repository patterns); otherwise not-found or denied.
   */
  async requireProject(
    actor: Actor,
    name: string,
    action: ProjectAction,
    repository?: string,
  ): Promise<ProjectRecord> {
    return (await this.authorizeProject(actor, name, action, repository)).project;
  }

  /** requireProject, answering too every action the actor holds there. */
  private async authorizeProject(
    actor: Actor,
    name: string,
    action: ProjectAction,
    repository?: string,
  ): Promise<{ project: ProjectRecord; actions: ReadonlySet<ProjectAction> }> {
    const project = await this.access.project(name);
    const actions = project
      ? await this.access.projectActions(actor.principal, name, repository)
      : new Set<ProjectAction>();
    // Any right in a project (a robot's push grant, say) reveals that it exists.
    if (!project || actions.size === 0) {
      if (actor.principal.kind === 'anonymous')
        throw new AuthError('unauthenticated', 'sign in first');
      throw new AuthError('not-found', `project "${name}" does not exist`);
    }
    if (!actions.has(action)) {
      if (actor.principal.kind === 'anonymous')
        throw new AuthError('unauthenticated', 'sign in first');
      throw new AuthError('denied', `${action} is not allowed in project "${name}"`);
    }

    return { project, actions };
  }

  requireSystem(actor: Actor, action: SystemAction): void {
    if (this.access.systemCan(actor.principal, action)) return;
    if (actor.principal.kind === 'anonymous')
      throw new AuthError('unauthenticated', 'sign in first');

    throw new AuthError('denied', `${action} needs a system administrator`);
  }

  private async robotProject(actor: Actor, name: string): Promise<ProjectRecord> {
    return this.requireProject(actor, name, 'manage-robots');
  }

  private async robotFor(actor: Actor, name: string, action: ProjectAction): Promise<RobotRecord> {
    const robot = await this.accounts.getRobot(name);
    if (!robot) throw new AuthError('not-found', `robot "${name}" does not exist`);

    const project = await this.projectName(robot);
    if (project === null) this.requireSystem(actor, 'manage-system-robots');
    else await this.requireProject(actor, project, action);
    return robot;
  }

  private async projectName(robot: RobotRecord): Promise<string | null> {
    return robot.projectId === null ? null : this.projectNameOf(robot.projectId);
  }

  async projectNameOf(projectId: number): Promise<string | null> {
    return (await this.accounts.getProjectById(projectId))?.name ?? null;
  }

  /** Grants must name known actions; a project robot's grants stay inside its project. */
  private checkGrants(grants: RobotGrant[], project: string | undefined): RobotGrant[] {
    if (!Array.isArray(grants) || grants.length === 0 || grants.length > 100) {
      throw new AuthError('invalid', 'a robot needs 1 to 100 permission grants');
    }

    const patterns = grants.reduce((sum, grant) => sum + (grant.repositories?.length ?? 0), 0);
    if (patterns > maxPatternsPerRobot) {
      throw new AuthError(
        'invalid',
        `a robot has at most ${maxPatternsPerRobot} repository patterns`,
      );
    }

    return grants.map((grant) => {
      const target = grant.project ?? project;
      if (project !== undefined && target !== project) {
        throw new AuthError(
          'invalid',
          `a robot of "${project}" can only be granted actions in "${project}"`,
        );
      }
      if (target !== '*') checkProjectName(target);
      for (const action of grant.actions ?? []) {
        if (!isProjectAction(action) || !robotActions.includes(action)) {
          throw new AuthError(
            'invalid',
            `robots cannot be granted "${String(action).slice(0, 64)}"`,
          );
        }
      }
      if ((grant.actions ?? []).length === 0)
        throw new AuthError('invalid', 'a grant needs at least one action');
      for (const pattern of grant.repositories ?? []) checkRepositoryPattern(pattern);

      const clean: RobotGrant = { project: target, actions: [...new Set(grant.actions)] };
      if (grant.repositories?.length) clean.repositories = grant.repositories;
      return clean;
    });
  }

  private expiry(expiresAt: number | null | undefined): number | null {
    if (expiresAt === null) return null;
    if (expiresAt !== undefined) return expiresAt;

    return this.options.robotDefaultTtlMs > 0 ? Date.now() + this.options.robotDefaultTtlMs : null;
  }

  /**
   * The current password is a password guess like a sign-in's: counted, slowed and locked by
   * the same guard, and a wrong one audited, so a stolen session cannot test passwords at will.
   */
  private async proveCurrentPassword(
    actor: Actor,
    user: UserRecord,
    currentPassword: string | undefined,
  ): Promise<void> {
    try {
      await this.guard.attempt(
        user.username,
        async () =>
          (await verifyPassword(user.passwordHash, currentPassword ?? '')) ? true : undefined,
        () => new AuthError('denied', 'the current password is wrong'),
      );
    } catch (err) {
      this.audit.record(actor.principal, {
        action: 'user.password',
        resource: user.username,
        result: 'failure',
        remoteAddr: actor.remoteAddr,
        detail: { reason: (err as Error).message },
      });
      throw err;
    }
  }

  private isSelf(actor: Actor, username: string): boolean {
    return actor.principal.kind === 'user' && actor.principal.name === username;
  }

  private changed(
    actor: Actor,
    action: string,
    project: string | null,
    resource: string,
    detail?: Record<string, unknown>,
  ): void {
    this.onChange();
    this.audit.record(actor.principal, {
      action,
      project,
      resource,
      remoteAddr: actor.remoteAddr,
      detail: detail ?? null,
    });
  }
}
