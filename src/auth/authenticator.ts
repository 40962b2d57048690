import { createHash } from 'node:crypto';
import type { AccountStore, UserRecord } from '../metadata/index.js';
import type { AuditLog } from './audit.js';
import { TtlCache } from './cache.js';
import { AuthError } from './errors.js';
import type { LoginGuard } from './login-guard.js';
import { anonymous, type Principal, type RobotPrincipal, type UserPrincipal } from './principal.js';
import type { Scope } from './scopes.js';
import { secretMatches, verifyPassword } from './secrets.js';
import type { SubjectKind, TokenService } from './tokens.js';

/** Robot login names start with this; no user name may. */
export const robotPrefix = 'robot$';

export type Credentials =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

/** An identity a directory vouches for after checking a password (LDAP). */
export interface ExternalIdentity {
  username: string;
  email?: string;
  displayName?: string;
  groups: string[];
  admin: boolean;
}

/** A directory that checks passwords for accounts Berth does not hold a password for. */
export interface PasswordSource {
  readonly name: 'ldap';
  authenticate(username: string, password: string): Promise<ExternalIdentity | undefined>;
}

export interface Authenticated {
  principal: Principal;
  /** For bearer tokens: what the token grants. Absent for passwords, which act with all rights. */
  tokenAccess?: Scope[];
}

export interface AuthenticatorOptions {
  /** How long a checked Basic credential is trusted before hashing it again. */
  credentialCacheMs: number;
}

const maxHeaderLength = 16 * 1024;

/**
 * Turns credentials into a principal: passwords of local users, directory passwords, robot
 * secrets and registry tokens. Password hashing is deliberately slow, so a credential that
 * checked out is remembered for a short while by its hash (never in clear).
 */
export class Authenticator {
  private readonly checked = new TtlCache<Principal>();
  private readonly subjects = new TtlCache<Principal>();

  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: TokenService,
    private readonly guard: LoginGuard,
    private readonly audit: AuditLog,
    private readonly options: AuthenticatorOptions,
    private readonly sources: PasswordSource[] = [],
  ) {}

  /** Credentials from a request's Authorization header. */
  async fromCredentials(credentials: Credentials, remoteAddr: string): Promise<Authenticated> {
    if (credentials.kind === 'none') return { principal: anonymous };
    if (credentials.kind === 'basic') {
      return {
        principal: await this.withPassword(credentials.username, credentials.password, remoteAddr),
      };
    }

    const claims = await this.tokens.verifyAccess(credentials.token);
    const principal = await this.subject(claims.subject, claims.subjectKind);
    return { principal, tokenAccess: claims.access };
  }

  /** A username and password (or robot secret), with its outcome in the audit log. */
  async withPassword(username: string, password: string, remoteAddr: string): Promise<Principal> {
    const cacheKey = createHash('sha256').update(`${username}\0${password}`).digest('hex');
    const cached = this.checked.get(cacheKey);
    if (cached) return cached;

    try {
      const principal = username.startsWith(robotPrefix)
        ? await this.robotLogin(username, password)
        : await this.userLogin(username, password);
      this.checked.set(cacheKey, principal, this.trustFor(principal));
      this.audit.record(principal, { action: 'login', remoteAddr });

      return principal;
    } catch (err) {
      const result = (err as AuthError).kind === 'locked' ? 'denied' : 'failure';
      this.audit.record(username.slice(0, 256), {
        action: 'login',
        result,
        remoteAddr,
        detail: { reason: (err as Error).message },
      });
      throw err;
    }
  }

  /** The current state of a token's subject: it may have been disabled since the token was made. */
  async subject(name: string, kind: SubjectKind): Promise<Principal> {
    if (kind === 'anonymous') return anonymous;
    const cacheKey = `${kind}:${name}`;
    const cached = this.subjects.get(cacheKey);
    if (cached) return cached;

    const principal = kind === 'robot' ? await this.activeRobot(name) : await this.activeUser(name);
    this.subjects.set(cacheKey, principal, this.trustFor(principal));
    return principal;
  }

  /** Forget remembered credentials and subjects, after an account changed on this node. */
  invalidate(): void {
    this.checked.clear();
    this.subjects.clear();
  }

  /** How long a checked principal is reused: never past a robot's expiry. */
  private trustFor(principal: Principal): number {
    const cacheMs = this.options.credentialCacheMs;
    if (principal.kind !== 'robot' || principal.expiresAt === null) return cacheMs;

    return Math.max(0, Math.min(cacheMs, principal.expiresAt - Date.now()));
  }

  private async userLogin(username: string, password: string): Promise<UserPrincipal> {
    await this.guard.beforeAttempt(username);

    const user = await this.accounts.getUser(username);
    let principal: UserPrincipal | undefined;
    if (user?.source === 'local' || !user) {
      const ok = await verifyPassword(user?.passwordHash ?? null, password);
      if (ok && user) principal = userPrincipal(user);
    }
    if (!principal && (!user || user.source === 'ldap')) {
      principal = await this.externalLogin(username, password);
    }

    if (!principal) {
      const locked = await this.guard.failed(username);
      throw new AuthError(
        locked ? 'locked' : 'unauthenticated',
        locked
          ? 'too many failed sign-ins; the account is locked for now'
          : 'invalid username or password',
      );
    }
    if (user?.disabled) throw new AuthError('unauthenticated', 'the account is disabled');

    await this.guard.succeeded(username);
    await this.accounts.updateUser(username, { lastLoginAt: Date.now() });
    return principal;
  }

  /** Asks each directory in turn; the first that knows the password creates or updates the user. */
  private async externalLogin(
    username: string,
    password: string,
  ): Promise<UserPrincipal | undefined> {
    for (const source of this.sources) {
      const identity = await source.authenticate(username, password);
      if (!identity) continue;

      const existing = await this.accounts.getUser(identity.username);
      if (existing && existing.source !== source.name) return undefined;
      if (!existing) {
        await this.accounts.createUser({
          username: identity.username,
          email: identity.email ?? null,
          displayName: identity.displayName ?? null,
          passwordHash: null,
          source: source.name,
          admin: identity.admin,
          groups: identity.groups,
        });
      } else {
        await this.accounts.updateUser(identity.username, {
          groups: identity.groups,
          admin: identity.admin,
          email: identity.email ?? existing.email,
        });
      }
      const user = (await this.accounts.getUser(identity.username)) as UserRecord;
      return user.disabled ? undefined : userPrincipal(user);
    }

    return undefined;
  }

  private async robotLogin(name: string, secret: string): Promise<RobotPrincipal> {
    const robot = await this.accounts.getRobot(name);
    if (!robot || !secretMatches(robot.secretHash, secret)) {
      throw new AuthError('unauthenticated', 'invalid robot name or secret');
    }

    const principal = await this.activeRobot(name);
    await this.accounts.updateRobot(name, { lastUsedAt: Date.now() });
    return principal;
  }

  private async activeUser(username: string): Promise<UserPrincipal> {
    const user = await this.accounts.getUser(username);
    if (!user || user.disabled)
      throw new AuthError('unauthenticated', 'the account is disabled or gone');

    return userPrincipal(user);
  }

  private async activeRobot(name: string): Promise<RobotPrincipal> {
    const robot = await this.accounts.getRobot(name);
    if (!robot || robot.disabled)
      throw new AuthError('unauthenticated', 'the robot account is disabled or gone');
    if (robot.expiresAt !== null && robot.expiresAt <= Date.now()) {
      throw new AuthError('unauthenticated', 'the robot account has expired');
    }

    return {
      kind: 'robot',
      name: robot.name,
      projectId: robot.projectId,
      grants: robot.grants,
      expiresAt: robot.expiresAt,
    };
  }
}

export function userPrincipal(user: UserRecord): UserPrincipal {
  return {
    kind: 'user',
    name: user.username,
    admin: user.admin,
    groups: user.groups,
    source: user.source,
  };
}

/**
 * Reads an Authorization header. Unknown schemes count as no credentials, as RFC 9110 lets a
 * server ignore them; a malformed Basic or Bearer value is an error.
 */
export function parseAuthorization(header: string | undefined): Credentials {
  if (!header) return { kind: 'none' };
  if (header.length > maxHeaderLength)
    throw new AuthError('unauthenticated', 'the Authorization header is too long');

  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();

  if (scheme === 'bearer') {
    if (!value) throw new AuthError('unauthenticated', 'the bearer token is empty');
    return { kind: 'bearer', token: value };
  }
  if (scheme === 'basic') return parseBasic(value);

  return { kind: 'none' };
}

function parseBasic(value: string): Credentials {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (!/^[A-Za-z0-9+/=_-]+$/.test(value) || colon <= 0) {
    throw new AuthError('unauthenticated', 'malformed Basic credentials');
  }

  return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
