import {
  sql,
  type Expression,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Updateable,
} from 'kysely';
import type {
  AuditEventTable,
  Database,
  IdentitySource,
  MemberKind,
  ProjectTable,
  RobotTable,
  UserTable,
} from './schema.js';

export interface ProjectRecord {
  id: number;
  name: string;
  public: boolean;
  labels: Record<string, string>;
  quotaBytes: number | null;
  quotaWarning: number;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewProject {
  name: string;
  public: boolean;
  labels: Record<string, string>;
  quotaBytes: number | null;
  createdBy: string | null;
}

export type ProjectPatch = Partial<
  Pick<ProjectRecord, 'public' | 'labels' | 'quotaBytes' | 'quotaWarning'>
>;

export interface UserRecord {
  id: number;
  username: string;
  email: string | null;
  displayName: string | null;
  passwordHash: string | null;
  source: IdentitySource;
  admin: boolean;
  disabled: boolean;
  groups: string[];
  tokensValidAfter: number;
  createdAt: number;
  lastLoginAt: number | null;
  /** The identity source's stable id of the account (OIDC `sub`); null for others. */
  externalId: string | null;
  /** sha256 of the CLI secret of an OIDC account; null until one is made. */
  cliSecretHash: string | null;
}

export type NewUser = Pick<
  UserRecord,
  'username' | 'email' | 'displayName' | 'passwordHash' | 'source' | 'admin'
> & { groups?: string[]; externalId?: string | null };

export type UserPatch = Partial<
  Pick<
    UserRecord,
    | 'email'
    | 'displayName'
    | 'passwordHash'
    | 'admin'
    | 'disabled'
    | 'groups'
    | 'tokensValidAfter'
    | 'lastLoginAt'
    | 'cliSecretHash'
  >
>;

export interface MemberRecord {
  kind: MemberKind;
  name: string;
  role: string;
  createdAt: number;
}

/** One permission set of a robot: actions in a project, optionally narrowed to repositories. */
export interface RobotGrant {
  /** A project name, or "*" for every project (system robots only). */
  project: string;
  /** Repository patterns below the project ("app/*"); all repositories when absent. */
  repositories?: string[];
  actions: string[];
}

export interface RobotRecord {
  id: number;
  name: string;
  projectId: number | null;
  description: string | null;
  secretHash: string;
  grants: RobotGrant[];
  expiresAt: number | null;
  disabled: boolean;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  tokensValidAfter: number;
}

export type NewRobot = Omit<
  RobotRecord,
  'id' | 'disabled' | 'createdAt' | 'lastUsedAt' | 'tokensValidAfter'
>;

export type RobotPatch = Partial<
  Pick<
    RobotRecord,
    | 'description'
    | 'secretHash'
    | 'grants'
    | 'expiresAt'
    | 'disabled'
    | 'lastUsedAt'
    | 'tokensValidAfter'
  >
>;

export interface SigningKeyRecord {
  kid: string;
  algorithm: string;
  privatePem: string;
  publicJwk: string;
  createdAt: number;
  retiredAt: number | null;
}

export interface AuditEvent {
  id: number;
  at: number;
  actor: string;
  actorKind: string;
  action: string;
  project: string | null;
  resource: string | null;
  result: string;
  remoteAddr: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

export interface AuditFilter {
  from?: number;
  to?: number;
  project?: string;
  actor?: string;
  action?: string;
  /** Return events with an id lower than this (newest first paging). */
  before?: number;
  limit: number;
}

export interface LoginFailure {
  failures: number;
  firstFailedAt: number;
  lockedUntil: number | null;
}

export interface Listing<T> {
  items: T[];
  total: number;
}

/**
 * Queries for projects, accounts, memberships, robots, token signing keys and the audit log.
 * Like MetadataStore, written once with Kysely for SQLite and PostgreSQL.
 */
export class AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  // Projects

  async createProject(project: NewProject, now = Date.now()): Promise<ProjectRecord> {
    await this.db
      .insertInto('projects')
      .values({
        name: project.name,
        public: project.public ? 1 : 0,
        labels: JSON.stringify(project.labels),
        quota_bytes: project.quotaBytes,
        quota_warning: 0.8,
        created_by: project.createdBy,
        created_at: now,
        updated_at: now,
      })
      .execute();

    return (await this.getProject(project.name)) as ProjectRecord;
  }

  async getProject(name: string): Promise<ProjectRecord | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();

    return row && toProject(row);
  }

  async getProjectById(id: number): Promise<ProjectRecord | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();

    return row && toProject(row);
  }

  /**
   * Projects whose name contains `search`, in name order. `visibleTo` limits the result to public
   * projects and the given project ids (what a non-admin may see).
   */
  async listProjects(options: {
    search?: string;
    visibleTo?: number[];
    offset: number;
    limit: number;
  }): Promise<Listing<ProjectRecord>> {
    let query = this.db.selectFrom('projects');
    if (options.search) query = query.where(contains('name', options.search));
    if (options.visibleTo) {
      const ids = options.visibleTo;
      query = query.where((eb) =>
        ids.length > 0 ? eb.or([eb('public', '=', 1), eb('id', 'in', ids)]) : eb('public', '=', 1),
      );
    }

    const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await query
      .selectAll()
      .orderBy('name')
      .offset(options.offset)
      .limit(options.limit)
      .execute();

    return { items: rows.map(toProject), total: Number(total?.n ?? 0) };
  }

  async updateProject(name: string, patch: ProjectPatch, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('projects')
      .set({
        ...(patch.public === undefined ? {} : { public: patch.public ? 1 : 0 }),
        ...(patch.labels === undefined ? {} : { labels: JSON.stringify(patch.labels) }),
        ...(patch.quotaBytes === undefined ? {} : { quota_bytes: patch.quotaBytes }),
        ...(patch.quotaWarning === undefined ? {} : { quota_warning: patch.quotaWarning }),
        updated_at: now,
      })
      .where('name', '=', name)
      .execute();
  }

  /**
   * Deletes a project with its repositories, members and robots. Their manifests, tags and blob
   * links go with the repositories (foreign keys cascade); the bytes wait for garbage collection.
   */
  async deleteProject(name: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('repositories').where(inProject(name)).execute();
      const result = await trx.deleteFrom('projects').where('name', '=', name).executeTakeFirst();

      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Repositories of a project: its own name and every name below it. */
  async countRepositories(project: string): Promise<number> {
    const row = await this.db
      .selectFrom('repositories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(inProject(project))
      .executeTakeFirst();

    return Number(row?.n ?? 0);
  }

  /**
   * Bytes a project holds: each distinct blob and manifest linked by any of its repositories,
   * counted once however many repositories or images share it.
   */
  async projectUsage(project: string): Promise<number> {
    const blobs = await sql<{ total: number | null }>`
      SELECT SUM(size) AS total FROM (
        SELECT DISTINCT b.digest, b.size FROM repository_blobs rb
        JOIN repositories r ON r.id = rb.repository_id
        JOIN blobs b ON b.digest = rb.digest
        WHERE ${inProject(project)} AND rb.released_at IS NULL
      ) AS linked`.execute(this.db);
    const manifests = await sql<{ total: number | null }>`
      SELECT SUM(size) AS total FROM (
        SELECT DISTINCT m.digest, m.size FROM manifests m
        JOIN repositories r ON r.id = m.repository_id
        WHERE ${inProject(project)}
      ) AS stored`.execute(this.db);

    return Number(blobs.rows[0]?.total ?? 0) + Number(manifests.rows[0]?.total ?? 0);
  }

  /** Whether `digest` is already part of `project`'s usage, so storing it again adds nothing. */
  async projectCounts(
    project: string,
    kind: 'blob' | 'manifest',
    digest: string,
  ): Promise<boolean> {
    const found =
      kind === 'blob'
        ? await sql<{ one: number }>`
            SELECT 1 AS one FROM repository_blobs rb
            JOIN repositories r ON r.id = rb.repository_id
            WHERE rb.digest = ${digest} AND rb.released_at IS NULL AND ${inProject(project)}
            LIMIT 1`.execute(this.db)
        : await sql<{ one: number }>`
            SELECT 1 AS one FROM manifests m
            JOIN repositories r ON r.id = m.repository_id
            WHERE m.digest = ${digest} AND ${inProject(project)}
            LIMIT 1`.execute(this.db);

    return found.rows.length > 0;
  }

  // Members

  async listMembers(projectId: number): Promise<MemberRecord[]> {
    const rows = await this.db
      .selectFrom('project_members')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('member_kind')
      .orderBy('member_name')
      .execute();

    return rows.map((r) => ({
      kind: r.member_kind,
      name: r.member_name,
      role: r.role,
      createdAt: Number(r.created_at),
    }));
  }

  async putMember(
    projectId: number,
    kind: MemberKind,
    name: string,
    role: string,
    now = Date.now(),
  ): Promise<void> {
    await this.db
      .insertInto('project_members')
      .values({
        project_id: projectId,
        member_kind: kind,
        member_name: name,
        role,
        created_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['project_id', 'member_kind', 'member_name']).doUpdateSet({ role }),
      )
      .execute();
  }

  async deleteMember(projectId: number, kind: MemberKind, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('member_kind', '=', kind)
      .where('member_name', '=', name)
      .executeTakeFirst();

    return Number(result.numDeletedRows) > 0;
  }

  /** Every membership of a user, directly or through one of their groups: project id → roles. */
  async membershipsOf(username: string, groups: string[]): Promise<Map<number, string[]>> {
    const rows = await this.db
      .selectFrom('project_members')
      .select(['project_id', 'role'])
      .where((eb) => {
        const direct = eb.and([eb('member_kind', '=', 'user'), eb('member_name', '=', username)]);
        if (groups.length === 0) return direct;
        return eb.or([
          direct,
          eb.and([eb('member_kind', '=', 'group'), eb('member_name', 'in', groups)]),
        ]);
      })
      .execute();

    const result = new Map<number, string[]>();
    for (const row of rows) {
      const id = Number(row.project_id);
      result.set(id, [...(result.get(id) ?? []), row.role]);
    }
    return result;
  }

  // Users

  async createUser(user: NewUser, now = Date.now()): Promise<UserRecord> {
    await this.db
      .insertInto('users')
      .values({
        username: user.username,
        email: user.email,
        display_name: user.displayName,
        password_hash: user.passwordHash,
        source: user.source,
        admin: user.admin ? 1 : 0,
        disabled: 0,
        groups: JSON.stringify(user.groups ?? []),
        tokens_valid_after: 0,
        created_at: now,
        external_id: user.externalId ?? null,
      })
      .execute();

    return (await this.getUser(user.username)) as UserRecord;
  }

  async getUser(username: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();

    return row && toUser(row);
  }

  /** The account whose name equals `username` but for case: ASCII only, as names are. */
  async getUserIgnoringCase(username: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where(sql`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst();

    return row && toUser(row);
  }

  async listUsers(options: {
    search?: string;
    offset: number;
    limit: number;
  }): Promise<Listing<UserRecord>> {
    let query = this.db.selectFrom('users');
    if (options.search) query = query.where(contains('username', options.search));

    const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await query
      .selectAll()
      .orderBy('username')
      .offset(options.offset)
      .limit(options.limit)
      .execute();

    return { items: rows.map(toUser), total: Number(total?.n ?? 0) };
  }

  async countUsers(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();

    return Number(row?.n ?? 0);
  }

  async updateUser(username: string, patch: UserPatch): Promise<void> {
    const set: Updateable<UserTable> = {};
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.displayName !== undefined) set.display_name = patch.displayName;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.admin !== undefined) set.admin = patch.admin ? 1 : 0;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    if (patch.groups !== undefined) set.groups = JSON.stringify(patch.groups);
    if (patch.tokensValidAfter !== undefined) set.tokens_valid_after = patch.tokensValidAfter;
    if (patch.lastLoginAt !== undefined) set.last_login_at = patch.lastLoginAt;
    if (patch.cliSecretHash !== undefined) set.cli_secret_hash = patch.cliSecretHash;
    if (Object.keys(set).length === 0) return;

    await this.db.updateTable('users').set(set).where('username', '=', username).execute();
  }

  async deleteUser(username: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('project_members')
        .where('member_kind', '=', 'user')
        .where('member_name', '=', username)
        .execute();
      const result = await trx
        .deleteFrom('users')
        .where('username', '=', username)
        .executeTakeFirst();

      return Number(result.numDeletedRows) > 0;
    });
  }

  // Robots

  async createRobot(robot: NewRobot, now = Date.now()): Promise<RobotRecord> {
    await this.db
      .insertInto('robots')
      .values({
        name: robot.name,
        project_id: robot.projectId,
        description: robot.description,
        secret_hash: robot.secretHash,
        grants: JSON.stringify(robot.grants),
        expires_at: robot.expiresAt,
        disabled: 0,
        created_by: robot.createdBy,
        created_at: now,
      })
      .execute();

    return (await this.getRobot(robot.name)) as RobotRecord;
  }

  async getRobot(name: string): Promise<RobotRecord | undefined> {
    const row = await this.db
      .selectFrom('robots')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();

    return row && toRobot(row);
  }

  /** Robots of one project, or the system robots when `projectId` is null. */
  async listRobots(projectId: number | null): Promise<RobotRecord[]> {
    let query = this.db.selectFrom('robots').selectAll().orderBy('name');
    query =
      projectId === null
        ? query.where('project_id', 'is', null)
        : query.where('project_id', '=', projectId);

    return (await query.execute()).map(toRobot);
  }

  async updateRobot(name: string, patch: RobotPatch): Promise<void> {
    const set: Updateable<RobotTable> = {};
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.secretHash !== undefined) set.secret_hash = patch.secretHash;
    if (patch.grants !== undefined) set.grants = JSON.stringify(patch.grants);
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    if (patch.lastUsedAt !== undefined) set.last_used_at = patch.lastUsedAt;
    if (patch.tokensValidAfter !== undefined) set.tokens_valid_after = patch.tokensValidAfter;
    if (Object.keys(set).length === 0) return;

    await this.db.updateTable('robots').set(set).where('name', '=', name).execute();
  }

  async deleteRobot(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('robots').where('name', '=', name).executeTakeFirst();

    return Number(result.numDeletedRows) > 0;
  }

  // Token signing keys

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .orderBy('created_at')
      .execute();

    return rows.map((r) => ({
      kid: r.kid,
      algorithm: r.algorithm,
      privatePem: r.private_pem,
      publicJwk: r.public_jwk,
      createdAt: Number(r.created_at),
      retiredAt: r.retired_at === null ? null : Number(r.retired_at),
    }));
  }

  /** Adds a key and retires every other active key, in one transaction. */
  async rotateSigningKey(key: Omit<SigningKeyRecord, 'retiredAt'>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('signing_keys')
        .set({ retired_at: key.createdAt })
        .where('retired_at', 'is', null)
        .execute();
      await trx
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          algorithm: key.algorithm,
          private_pem: key.privatePem,
          public_jwk: key.publicJwk,
          created_at: key.createdAt,
        })
        .execute();
    });
  }

  async deleteSigningKeysRetiredBefore(before: number): Promise<void> {
    await this.db.deleteFrom('signing_keys').where('retired_at', '<', before).execute();
  }

  // Failed sign-ins

  async getLoginFailure(account: string): Promise<LoginFailure | undefined> {
    const row = await this.db
      .selectFrom('login_failures')
      .selectAll()
      .where('account', '=', account)
      .executeTakeFirst();

    return (
      row && {
        failures: Number(row.failures),
        firstFailedAt: Number(row.first_failed_at),
        lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
      }
    );
  }

  async putLoginFailure(account: string, failure: LoginFailure): Promise<void> {
    const values = {
      failures: failure.failures,
      first_failed_at: failure.firstFailedAt,
      locked_until: failure.lockedUntil,
    };
    await this.db
      .insertInto('login_failures')
      .values({ account, ...values })
      .onConflict((oc) => oc.column('account').doUpdateSet(values))
      .execute();
  }

  async clearLoginFailures(account: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('account', '=', account).execute();
  }

  /** Deletes failures first counted before `before` that hold no lock at `now`. */
  async pruneLoginFailures(before: number, now: number): Promise<void> {
    await this.db
      .deleteFrom('login_failures')
      .where('first_failed_at', '<', before)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .execute();
  }

  // Audit log

  async insertAuditEvents(events: NewAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('audit_events')
      .values(
        events.map((e) => ({
          at: e.at,
          actor: e.actor,
          actor_kind: e.actorKind,
          action: e.action,
          project: e.project,
          resource: e.resource,
          result: e.result,
          remote_addr: e.remoteAddr,
          detail: e.detail === null ? null : JSON.stringify(e.detail),
        })),
      )
      .execute();
  }

  /** Events matching the filter, newest first. */
  async queryAuditEvents(filter: AuditFilter): Promise<AuditEvent[]> {
    let query = this.db.selectFrom('audit_events').selectAll();
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    if (filter.project !== undefined) query = query.where('project', '=', filter.project);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.before !== undefined) query = query.where('id', '<', filter.before);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();

    return rows.map(toAuditEvent);
  }

  async deleteAuditEventsBefore(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('audit_events')
      .where('at', '<', before)
      .executeTakeFirst();

    return Number(result.numDeletedRows);
  }
}

/** A repository name that is the project's own name or lies below it. */
export function inProject(project: string): Expression<SqlBool> {
  const prefix = `${project}/`;
  return sql<SqlBool>`(name = ${project} OR substr(name, 1, ${prefix.length}) = ${prefix})`;
}

/** Case-sensitive substring match; LIKE would treat `_` and `%` in the search as wildcards. */
function contains(column: 'name' | 'username', search: string): Expression<SqlBool> {
  const escaped = search.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`${sql.ref(column)} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}

function toProject(row: Selectable<ProjectTable>): ProjectRecord {
  return {
    id: Number(row.id),
    name: row.name,
    public: Number(row.public) === 1,
    labels: JSON.parse(row.labels) as Record<string, string>,
    quotaBytes: row.quota_bytes === null ? null : Number(row.quota_bytes),
    quotaWarning: Number(row.quota_warning),
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toUser(row: Selectable<UserTable>): UserRecord {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    source: row.source,
    admin: Number(row.admin) === 1,
    disabled: Number(row.disabled) === 1,
    groups: JSON.parse(row.groups) as string[],
    tokensValidAfter: Number(row.tokens_valid_after),
    createdAt: Number(row.created_at),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
    externalId: row.external_id,
    cliSecretHash: row.cli_secret_hash,
  };
}

function toRobot(row: Selectable<RobotTable>): RobotRecord {
  return {
    id: Number(row.id),
    name: row.name,
    projectId: row.project_id === null ? null : Number(row.project_id),
    description: row.description,
    secretHash: row.secret_hash,
    grants: JSON.parse(row.grants) as RobotGrant[],
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    disabled: Number(row.disabled) === 1,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    tokensValidAfter: Number(row.tokens_valid_after),
  };
}

function toAuditEvent(row: Selectable<AuditEventTable>): AuditEvent {
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: row.actor,
    actorKind: row.actor_kind,
    action: row.action,
    project: row.project,
    resource: row.resource,
    result: row.result,
    remoteAddr: row.remote_addr,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}
