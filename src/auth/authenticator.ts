import { createHash } from 'node:crypto';
import type { AccountStore, IdentitySource, UserRecord } from '../metadata/index.js';
import type { AuditLog } from './audit.js';
import { TtlCache } from './cache.js';
import { AuthError } from './errors.js';
import type { LoginGuard } from './login-guard.js';
import { anonymous, type Principal, type RobotPrincipal, type UserPrincipal } from './principal.js';
import type { Scope } from './scopes.js';
import { secretMatches, verifyPassword } from './secrets.js';
import type { SubjectKind, TokenClaims, TokenService } from './tokens.js';
import { userNamePattern } from './validation.js';

/** Robot login names start with this; no user name may. */
export const robotPrefix = 'robot$';

export type Credentials =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

/** An identity an identity source vouches for: a directory (LDAP) or a provider (OIDC). */
export interface ExternalIdentity {
  username: string;
  /** The source's own stable id of the person (OIDC `sub`), when it has one. */
  subject?: string;
  email?: string;
  displayName?: string;
  groups: string[];
  /** Whether the source's admin group holds the user; absent when no admin group is set. */
  admin?: boolean;
}

/**
 * A directory that checks passwords for accounts Berth does not hold a password for.
 * `authenticate` answers undefined for an unknown name or a wrong password, and throws
 * SourceUnavailableError when it cannot tell (the directory is down or refuses its service
 * account).
 */
export interface PasswordSource {
  readonly name: 'ldap';
  authenticate(username: string, password: string): Promise<ExternalIdentity | undefined>;
}

/** An identity source that cannot answer now; says nothing about the credentials. */
export class SourceUnavailableError extends Error {
  constructor(readonly source: string) {
    super(`the ${source.toUpperCase()} directory cannot be reached; try again later`);
    this.name = 'SourceUnavailableError';
  }
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
    const principal = await this.tokenSubject(claims);
    return { principal, tokenAccess: claims.access };
  }

  /**
   * The account a token was issued to, if the token still speaks for it: the account exists
   * under the same row (not deleted and recreated with the name), is enabled, and has not
   * revoked its tokens since (password change, secret rotation, disable).
   */
  async tokenSubject(claims: TokenClaims): Promise<Principal> {
    const principal = await this.subject(claims.subject, claims.subjectKind);
    if (principal.kind === 'anonymous') return principal;

    const sameAccount = claims.accountId === principal.id;
    if (!sameAccount || claims.issuedAtMs < principal.tokensValidAfter) {
      throw new AuthError('unauthenticated', 'the token was revoked');
    }
    return principal;
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
      this.audit.record(await this.accountNameOf(username), {
        action: 'login',
        result,
        remoteAddr,
        detail: { reason: (err as Error).message },
      });
      throw err;
    }
  }

  /**
   * The name a failed sign-in is audited under: the account's own spelling when the name was
   * typed in another case, so that filtering the log by actor finds every guess against it.
   */
  private async accountNameOf(username: string): Promise<string> {
    const typed = username.slice(0, 256);
    if (username.startsWith(robotPrefix) || !userNamePattern.test(username)) return typed;

    return (await this.accounts.getUserIgnoringCase(username))?.username ?? typed;
  }

  /**
   * An account signed in through an identity source (OIDC): creates or updates it, and records
   * the sign-in. Refused when the name belongs to another account or the account is disabled.
   */
  async identityLogin(
    source: ExternalSource,
    identity: ExternalIdentity,
    remoteAddr: string,
  ): Promise<UserPrincipal> {
    try {
      const principal = await this.adopt(source, identity);
      await this.accounts.updateUser(principal.name, { lastLoginAt: Date.now() });
      this.audit.record(principal, { action: 'login', remoteAddr, detail: { source } });

      return principal;
    } catch (err) {
      this.audit.record(identity.username.slice(0, 256), {
        action: 'login',
        result: 'failure',
        remoteAddr,
        detail: { source, reason: (err as Error).message },
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
    const wrong = () => new AuthError('unauthenticated', 'invalid username or password');
    // No account can have such a name: refused without a record, which a flood of made-up
    // names would otherwise grow.
    if (!userNamePattern.test(username)) throw wrong();

    const principal = await this.guard.attempt(
      username,
      async () => {
        // Names differing only in case are one account, so `HANK` signs in as `hank`; the
        // guard counts them as one already.
        const user =
          (await this.accounts.getUser(username)) ??
          (await this.accounts.getUserIgnoringCase(username));
        const proven = await this.checkPassword(user?.username ?? username, user, password);
        if (proven && user?.disabled)
          throw new AuthError('unauthenticated', 'the account is disabled');

        return proven;
      },
      wrong,
    );

    await this.accounts.updateUser(principal.name, { lastLoginAt: Date.now() });
    return principal;
  }

  /**
   * Each kind of account proves itself its own way: local users with their password, OIDC users
   * with their CLI secret (registry clients cannot follow a browser sign-in), directory users and
   * names Berth does not know with the directory. A local account is never handed to a directory.
   */
  private async checkPassword(
    username: string,
    user: UserRecord | undefined,
    password: string,
  ): Promise<UserPrincipal | undefined> {
    if (user?.source === 'oidc') {
      const ok = user.cliSecretHash !== null && secretMatches(user.cliSecretHash, password);
      return ok ? userPrincipal(user) : undefined;
    }
    if (!user || user.source === 'local') {
      const ok = await verifyPassword(user?.passwordHash ?? null, password);
      if (ok && user) return userPrincipal(user);
      if (user) return undefined;
    }

    return this.externalLogin(username, password);
  }

  /**
   * Asks each directory in turn; the first that knows the password creates or updates the user.
   * A directory that cannot answer is skipped, and reported only if no other one knew the user,
   * so that an outage reads as an outage rather than as a wrong password.
   */
  private async externalLogin(
    username: string,
    password: string,
  ): Promise<UserPrincipal | undefined> {
    let unavailable: SourceUnavailableError | undefined;
    for (const source of this.sources) {
      let identity: ExternalIdentity | undefined;
      try {
        identity = await source.authenticate(username, password);
      } catch (err) {
        if (!(err instanceof SourceUnavailableError)) throw err;
        unavailable = err;
      }
      if (!identity) continue;

      // A name taken by another account, or a disabled account, fails like a wrong password.
      return this.adopt(source.name, identity).catch((err: unknown) => {
        if (err instanceof AuthError) return undefined;
        throw err;
      });
    }

    if (unavailable) throw new AuthError('unauthenticated', unavailable.message);
    return undefined;
  }

  /**
   * Creates or updates the account of an external identity. A name held by an account of
   * another source, or by another person of the same source, is refused: a source must not take
   * over accounts it does not own.
   */
  private async adopt(source: ExternalSource, identity: ExternalIdentity): Promise<UserPrincipal> {
    const existing = await this.accounts.getUser(identity.username);
    const otherPerson =
      existing?.externalId && identity.subject && existing.externalId !== identity.subject;
    if ((existing && existing.source !== source) || otherPerson) {
      throw new AuthError(
        'denied',
        `the name "${identity.username}" belongs to another account; ask an administrator`,
      );
    }

    if (!existing) {
      const caseTwin = await this.accounts.getUserIgnoringCase(identity.username);
      if (caseTwin) {
        throw new AuthError(
          'denied',
          `the name "${identity.username}" belongs to another account ("${caseTwin.username}"); ask an administrator`,
        );
      }
      await this.accounts.createUser({
        username: identity.username,
        email: identity.email ?? null,
        displayName: identity.displayName ?? null,
        passwordHash: null,
        source,
        admin: identity.admin ?? false,
        groups: identity.groups,
        externalId: identity.subject ?? null,
      });
    } else {
      await this.accounts.updateUser(identity.username, {
        groups: identity.groups,
        admin: identity.admin,
        email: identity.email ?? existing.email,
        displayName: identity.displayName ?? existing.displayName,
      });
    }
    this.forget(identity.username);

    const user = (await this.accounts.getUser(identity.username)) as UserRecord;
    if (user.disabled) throw new AuthError('unauthenticated', 'the account is disabled');
    return userPrincipal(user);
  }

  /** Tokens of a user whose groups or admin flag just changed must not act on the old ones. */
  private forget(username: string): void {
    this.subjects.delete(`user:${username}`);
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
      id: robot.id,
      tokensValidAfter: robot.tokensValidAfter,
      name: robot.name,
      projectId: robot.projectId,
      grants: robot.grants,
      expiresAt: robot.expiresAt,
    };
  }
}

/** Sources whose accounts Berth creates on their first sign-in. */
export type ExternalSource = Exclude<IdentitySource, 'local'>;

export function userPrincipal(user: UserRecord): UserPrincipal {
  return {
    kind: 'user',
    id: user.id,
    tokensValidAfter: user.tokensValidAfter,
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
