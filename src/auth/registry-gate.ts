import { RegistryError } from '../oci/errors.js';
import { isValidName } from '../oci/reference.js';
import type { AccessControl } from './access.js';
import type { Authenticated, Authenticator } from './authenticator.js';
import { parseAuthorization } from './authenticator.js';
import { isAuthError } from './errors.js';
import type { ProjectAction } from './permissions.js';
import type { Principal } from './principal.js';
import { formatScope, type Scope } from './scopes.js';

/** What a registry request needs, worked out from its endpoint and method. */
export type RegistryNeed =
  | { kind: 'signed-in' }
  | { kind: 'catalog' }
  | { kind: 'repository'; repository: string; action: ProjectAction };

export interface RegistryRequest {
  authorization: string | undefined;
  remoteAddr: string;
  /** The token endpoint's absolute URL, named in challenges. */
  realm: string;
  need: RegistryNeed;
}

/** The project of a repository: its first path component. */
export function projectOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

/**
 * The token endpoint on the host the client used (`host`: its Host header). Clients send their
 * credentials there, so a deployment behind a proxy that rewrites Host sets auth.realm instead.
 */
export function tokenRealm(host: string | undefined, tls: boolean): string {
  // The value is quoted inside WWW-Authenticate: only a plain host[:port] may go there.
  const safe = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(host ?? '');

  return `${tls ? 'https' : 'http'}://${safe ? host : 'localhost'}/auth/token`;
}

/** The actions a registry token can carry for a repository (Docker token scope docs). */
const tokenActions: readonly string[] = ['pull', 'push', 'delete'];

/** The token action a project action grants, if any. */
function tokenActionOf(action: ProjectAction): 'pull' | 'push' | 'delete' | undefined {
  if (action === 'pull' || action === 'push') return action;
  if (action === 'delete-tag' || action === 'delete-artifact') return 'delete';
  return undefined;
}

/** The token action that covers a project action (Docker scopes know pull, push, delete). */
export function tokenAction(action: ProjectAction): 'pull' | 'push' | 'delete' {
  if (action === 'push') return 'push';
  if (action === 'delete-tag' || action === 'delete-artifact' || action === 'delete-repository') {
    return 'delete';
  }
  return 'pull';
}

/**
 * Authentication and authorization for the /v2/ API (Docker token authentication spec,
 * "How to authenticate"). A request without credentials, or whose token lacks a scope the
 * principal could be granted, gets 401 with a challenge naming the scope, so the client fetches
 * a token and retries. A principal that may not do it gets 403 DENIED, with
 * error="insufficient_scope" in the challenge so that clients stop asking.
 */
export class RegistryGate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly access: AccessControl,
    private readonly service: string,
    /** Creates a missing project on a signed-in user's first push, when settings allow it. */
    private readonly createOnPush?: (principal: Principal, project: string) => Promise<boolean>,
  ) {}

  async check(request: RegistryRequest): Promise<Authenticated> {
    const authenticated = await this.authenticate(request);
    const { principal, tokenAccess } = authenticated;
    const need = request.need;

    if (need.kind === 'signed-in') {
      if (principal.kind === 'anonymous')
        throw this.challenge(request, undefined, 'authentication required');
      return authenticated;
    }

    const scope = scopeFor(need);
    const tokenAllows = !tokenAccess || covers(tokenAccess, need);
    const allowed = await this.allows(principal, need);
    if (allowed && tokenAllows) return authenticated;

    if (principal.kind === 'anonymous' || (allowed && !tokenAllows)) {
      throw this.challenge(request, scope, 'authentication required');
    }
    throw this.denied(request, scope, need);
  }

  /**
   * What a token for `principal` may carry: the intersection of each requested scope with what
   * the principal is allowed (token spec, "Requesting a Token"). Scopes naming nothing Berth
   * knows, or nothing allowed, are left out rather than refused.
   */
  async grant(principal: Principal, requested: Scope[]): Promise<Scope[]> {
    const granted: Scope[] = [];
    for (const scope of requested) {
      const actions = await this.grantable(principal, scope);
      if (actions.length > 0) granted.push({ type: scope.type, name: scope.name, actions });
    }

    return granted;
  }

  /** Whether a signed-in caller may read a repository: decides cross-repository mounts. */
  async canPull(principal: Principal, repository: string): Promise<boolean> {
    return this.access.can(principal, 'pull', projectOf(repository), repository);
  }

  private async authenticate(request: RegistryRequest): Promise<Authenticated> {
    try {
      const credentials = parseAuthorization(request.authorization);
      return await this.authenticator.fromCredentials(credentials, request.remoteAddr);
    } catch (err) {
      if (!isAuthError(err)) throw err;
      if (err.kind === 'locked') {
        throw new RegistryError('TOOMANYREQUESTS', err.message, {
          headers: { 'retry-after': String(err.retryAfter ?? 60) },
        });
      }
      // The scope goes along so that a client whose token expired asks for the right new one.
      const bearer = /^bearer /i.test(request.authorization ?? '');
      const scope = request.need.kind === 'signed-in' ? undefined : scopeFor(request.need);
      throw this.challenge(request, scope, err.message, bearer ? 'invalid_token' : undefined);
    }
  }

  private async grantable(principal: Principal, scope: Scope): Promise<string[]> {
    if (scope.type === 'registry') {
      const ok = scope.name === 'catalog' && principal.kind !== 'anonymous';
      return ok ? scope.actions.filter((a) => a === '*') : [];
    }
    if (scope.type !== 'repository' || !isValidName(scope.name)) return [];

    const project = projectOf(scope.name);
    const wanted: readonly string[] = scope.actions.includes('*') ? tokenActions : scope.actions;
    if (!(await this.access.project(project)) && (await this.mayCreate(principal, project))) {
      // The project appears on the first push; until then its creator holds every action.
      return wanted.filter((action) => tokenActions.includes(action));
    }
    const allowed = await this.access.projectActions(principal, project, scope.name);
    const held = new Set([...allowed].map(tokenActionOf).filter((a) => a !== undefined));

    return wanted.filter((action) => tokenActions.includes(action) && held.has(action as 'pull'));
  }

  private async allows(principal: Principal, need: RegistryNeed): Promise<boolean> {
    if (need.kind === 'catalog') return principal.kind !== 'anonymous';
    if (need.kind !== 'repository') return true;

    const project = projectOf(need.repository);
    if (!(await this.access.project(project)) && (await this.mayCreate(principal, project))) {
      // Clients check for blobs (HEAD, a pull) before the first push creates the project: a
      // would-be creator may ask, and learns that nothing is there yet.
      if (need.action !== 'push') return true;
      await this.createOnPush!(principal, project);
    }
    return this.access.can(principal, need.action, project, need.repository);
  }

  private async mayCreate(principal: Principal, project: string): Promise<boolean> {
    return (
      this.createOnPush !== undefined &&
      principal.kind === 'user' &&
      this.access.systemCan(principal, 'create-project') &&
      isValidName(project)
    );
  }

  private challenge(
    request: RegistryRequest,
    scope: Scope | undefined,
    message: string,
    error?: string,
  ): RegistryError {
    return new RegistryError('UNAUTHORIZED', message, {
      headers: { 'www-authenticate': this.challengeHeader(request.realm, scope, error) },
      detail: scope && { type: scope.type, name: scope.name, actions: scope.actions },
    });
  }

  private denied(request: RegistryRequest, scope: Scope, need: RegistryNeed): RegistryError {
    const what =
      need.kind === 'repository' ? `${need.action} on ${need.repository}` : 'the catalog';
    return new RegistryError('DENIED', `requested access to the resource is denied (${what})`, {
      headers: {
        'www-authenticate': this.challengeHeader(request.realm, scope, 'insufficient_scope'),
      },
      detail: { type: scope.type, name: scope.name, actions: scope.actions },
    });
  }

  private challengeHeader(realm: string, scope: Scope | undefined, error?: string): string {
    const parts = [`realm="${realm}"`, `service="${this.service}"`];
    if (scope) parts.push(`scope="${formatScope(scope)}"`);
    if (error) parts.push(`error="${error}"`);

    return `Bearer ${parts.join(',')}`;
  }
}

function scopeFor(need: RegistryNeed): Scope {
  if (need.kind === 'repository') {
    const action = tokenAction(need.action);
    // Docker asks for push together with pull, and a push does both (HEAD before upload).
    const actions = action === 'push' ? ['pull', 'push'] : [action];
    return { type: 'repository', name: need.repository, actions };
  }
  return { type: 'registry', name: 'catalog', actions: ['*'] };
}

/** Whether a token's access claim includes what the request needs. */
function covers(granted: Scope[], need: RegistryNeed): boolean {
  const [type, name, action] =
    need.kind === 'repository'
      ? ['repository', need.repository, tokenAction(need.action)]
      : ['registry', 'catalog', '*'];

  return granted.some(
    (scope) =>
      scope.type === type &&
      scope.name === name &&
      (scope.actions.includes(action) || scope.actions.includes('*')),
  );
}
