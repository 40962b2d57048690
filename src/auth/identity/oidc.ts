import * as oidc from 'openid-client';
import type { Logger } from 'pino';
import { RegistryError } from '../../oci/errors.js';
import type { AuditLog } from '../audit.js';
import type { Authenticator, ExternalIdentity } from '../authenticator.js';
import { AuthError } from '../errors.js';
import type { UserPrincipal } from '../principal.js';
import type { TokenService } from '../tokens.js';
import { checkUserName } from '../validation.js';
import type { SecretValue } from './ldap.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Absent for a public client, which PKCE alone protects. */
  clientSecret?: SecretValue;
  /** The callback URL registered at the provider; derived from the request when absent. */
  redirectUrl?: string;
  scopes: string;
  usernameClaim: string;
  groupsClaim: string;
  adminGroup?: string;
  buttonLabel: string;
}

export interface LoginStart {
  /** The provider's authorization URL to send the browser to. */
  location: string;
  /** The sign-in in progress, signed, for the browser to bring back to the callback. */
  pending: string;
}

export interface LoginResult {
  principal: UserPrincipal;
  returnTo: string;
}

interface PendingLogin extends Record<string, string> {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  redirectUri: string;
}

type Claims = Record<string, unknown> & { sub: string };

/** How long a browser may take between leaving for the provider and coming back. */
export const loginTtlMs = 10 * 60_000;

/** Seconds each request to the provider may take. */
const providerTimeout = 10;
const maxGroups = 1000;

/**
 * Browser sign-in through an OpenID Connect provider: the authorization code flow with PKCE
 * (S256), state and nonce. The sign-in in progress travels with the browser as a token Berth
 * signed, so any node can finish it and nothing is kept between the two requests. The provider's
 * claims name the user and their groups; the account is created or updated on each sign-in.
 */
export class OidcLogin {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly tokens: TokenService,
    private readonly authenticator: Authenticator,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  /** Starts a sign-in that comes back to `returnTo`, a path on this server. */
  async begin(returnTo: string, redirectUri: string): Promise<LoginStart> {
    const path = safeReturnPath(returnTo);
    if (path === undefined) {
      throw new AuthError('invalid', 'return_to must be a path on this server, such as /projects');
    }

    const config = await this.provider();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      returnTo: path,
      redirectUri,
    };
    const location = oidc.buildAuthorizationUrl(config, {
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });

    return { location: location.href, pending: await this.tokens.issueLogin(pending, loginTtlMs) };
  }

  /**
   * Finishes a sign-in: the provider's answer must match the pending sign-in this browser
   * brought back (its cookie, and the state in it), the code is exchanged with the PKCE
   * verifier, and the ID token must carry the nonce. Failures are in the audit log.
   */
  async finish(
    answer: URLSearchParams,
    pendingToken: string | undefined,
    remoteAddr: string,
  ): Promise<LoginResult> {
    const { identity, returnTo } = await this.verify(answer, pendingToken).catch((err: unknown) => {
      this.audit.record('anonymous', {
        action: 'login',
        result: 'failure',
        remoteAddr,
        detail: { source: 'oidc', reason: (err as Error).message },
      });
      throw err;
    });

    const principal = await this.authenticator.identityLogin('oidc', identity, remoteAddr);
    return { principal, returnTo };
  }

  private async verify(
    answer: URLSearchParams,
    pendingToken: string | undefined,
  ): Promise<{ identity: ExternalIdentity; returnTo: string }> {
    const pending = await this.pending(pendingToken);
    if (answer.get('state') !== pending.state) {
      throw new AuthError('invalid', 'the sign-in does not match this browser; start again');
    }

    const claims = await this.claimsFor(answer, pending);
    return { identity: this.identityOf(claims), returnTo: pending.returnTo };
  }

  private async pending(token: string | undefined): Promise<PendingLogin> {
    if (!token) {
      throw new AuthError('invalid', 'no sign-in is in progress in this browser; start again');
    }
    try {
      return (await this.tokens.verifyLogin(token)) as PendingLogin;
    } catch {
      throw new AuthError(
        'invalid',
        'the sign-in has expired or was not started here; start again',
      );
    }
  }

  /** The ID token's claims, completed from the userinfo endpoint when it lacks name or groups. */
  private async claimsFor(answer: URLSearchParams, pending: PendingLogin): Promise<Claims> {
    const config = await this.provider();
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = answer.toString();

    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims() as Claims;
      const { usernameClaim, groupsClaim } = this.settings;
      const complete =
        claimAt(claims, usernameClaim) !== undefined && claimAt(claims, groupsClaim) !== undefined;
      if (complete || !config.serverMetadata().userinfo_endpoint) return claims;

      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { ...userinfo, ...claims };
    } catch (err) {
      throw this.refusal(err);
    }
  }

  private identityOf(claims: Claims): ExternalIdentity {
    const { usernameClaim, groupsClaim, adminGroup } = this.settings;
    const named = claimAt(claims, usernameClaim);
    const username = typeof named === 'string' && named !== '' ? named : claims.sub;
    try {
      checkUserName(username);
    } catch (err) {
      throw new AuthError(
        'denied',
        `the provider's name "${username.slice(0, 128)}" cannot be used: ${(err as Error).message}`,
      );
    }

    const groups = groupNames(claimAt(claims, groupsClaim));
    return {
      username,
      subject: claims.sub,
      email: stringOrUndefined(claims.email),
      displayName: stringOrUndefined(claims.name),
      groups,
      admin: adminGroup === undefined ? undefined : groups.includes(adminGroup),
    };
  }

  /** The provider's metadata, fetched on first use and kept; a failed fetch is tried again. */
  private provider(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((err: unknown) => {
      this.configuration = undefined;
      this.logger.warn(
        { issuer: this.settings.issuer, reason: (err as Error).message },
        'failed to discover the oidc provider',
      );
      throw new RegistryError('UNAVAILABLE', 'the identity provider cannot be reached');
    });

    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const url = new URL(issuer);
    const authentication = clientSecret
      ? oidc.ClientSecretBasic(clientSecret.reveal())
      : oidc.None();
    // A plain-HTTP issuer is the operator's explicit choice (a provider on a private network).
    const execute = url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];

    return oidc.discovery(url, clientId, undefined, authentication, {
      execute,
      timeout: providerTimeout,
    });
  }

  /** A provider that cannot be reached is an outage; any other failure refuses the sign-in. */
  private refusal(err: unknown): Error {
    if (err instanceof AuthError || err instanceof RegistryError) return err;

    const reason = err instanceof Error ? err.message : String(err);
    this.logger.info({ reason }, 'oidc sign-in refused');
    if (err instanceof oidc.AuthorizationResponseError) {
      return new AuthError('unauthenticated', `the identity provider refused: ${err.error}`);
    }
    const code = (err as { code?: string }).code;
    if (err instanceof TypeError || code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') {
      return new RegistryError('UNAVAILABLE', 'the identity provider cannot be reached');
    }

    return new AuthError(
      'unauthenticated',
      `the identity provider's answer was refused: ${reason}`,
    );
  }
}

/**
 * Only a path on this server, never an absolute URL: an open redirect would hand the tokens in
 * the fragment to another site. `//host` and `/\host` are other hosts to a browser.
 */
export function safeReturnPath(value: string): string | undefined {
  if (value.length > 2048 || !value.startsWith('/') || value.startsWith('//')) return undefined;
  if ([...value].some(unsafeInPath)) return undefined;

  const base = 'http://berth.invalid';
  const url = new URL(value, base);
  return url.origin === base ? `${url.pathname}${url.search}` : undefined;
}

/** Backslashes read as slashes to browsers; control characters are cut or ignored by some. */
function unsafeInPath(char: string): boolean {
  const code = char.charCodeAt(0);
  return char === '\\' || char === '#' || code < 0x20 || code === 0x7f;
}

/** A claim by its name, or by a dotted path into nested objects (`realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];

  return name
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[key]
          : undefined,
      claims,
    );
}

function groupNames(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const names = list.filter(
    (g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256,
  );

  return [...new Set(names)].slice(0, maxGroups).sort();
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, 256) : undefined;
}
