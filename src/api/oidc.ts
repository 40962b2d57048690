import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, loginTtlMs, type Auth, type OidcLogin } from '../auth/index.js';
import { apiScope } from './actor.js';

export interface OidcRouteOptions {
  auth: Auth;
  oidc: OidcLogin;
  /** Whether Berth itself serves HTTPS, for the callback URL derived from the request. */
  tls: boolean;
}

/** Carries the sign-in in progress from the login route to the callback, in this browser only. */
const pendingCookie = 'berth_oidc';
const cookiePath = '/auth/oidc';

/**
 * The browser side of OIDC sign-in. `/auth/oidc/login?return_to=/path` sends the browser to the
 * provider; `/auth/oidc/callback` finishes the sign-in and sends it back to `return_to` with a
 * Berth access token (scope berth:api:*) and refresh token in the URL fragment, which never
 * reaches a server or a log: `#access_token=…&token_type=Bearer&expires_in=…&refresh_token=…`.
 */
export async function oidcRoutes(app: FastifyInstance, options: OidcRouteOptions): Promise<void> {
  const { auth, oidc } = options;

  app.get('/auth/oidc/login', async (request, reply) => {
    request.routeKind = 'token';
    const query = queryOf(request);
    const redirectUri = oidc.settings.redirectUrl ?? callbackUrl(request, options.tls);

    const start = await oidc.begin(query.get('return_to') ?? '/', redirectUri);
    const secure = redirectUri.startsWith('https:');
    return reply
      .header('set-cookie', cookie(start.pending, loginTtlMs / 1000, secure))
      .header('cache-control', 'no-store')
      .redirect(start.location, 302);
  });

  app.get('/auth/oidc/callback', async (request, reply) => {
    request.routeKind = 'token';
    const pending = readCookie(request.headers.cookie, pendingCookie);
    const { principal, returnTo } = await oidc.finish(queryOf(request), pending, request.ip);
    const access = await auth.tokens.issueAccess(principal, [{ ...apiScope, actions: ['*'] }]);
    const refresh = await auth.tokens.issueRefresh(principal);
    const fragment = new URLSearchParams({
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: String(access.expiresIn),
      refresh_token: refresh.token,
    });

    return reply
      .header('set-cookie', cookie('', 0, false))
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(`${returnTo}#${fragment}`, 302);
  });
}

function queryOf(request: FastifyRequest): URLSearchParams {
  return new URL(request.url, 'http://berth.invalid').searchParams;
}

/** The callback URL on the host the browser used; only a plain host[:port] is trusted. */
function callbackUrl(request: FastifyRequest, tls: boolean): string {
  const host = request.headers.host ?? '';
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(host)) {
    throw new AuthError('invalid', 'cannot tell the callback URL; set auth.oidc.redirectUrl');
  }

  return `${tls ? 'https' : 'http'}://${host}/auth/oidc/callback`;
}

/**
 * HttpOnly, so page scripts never see it; SameSite=Lax, so it comes along on the provider's
 * top-level redirect back but not on requests other sites make.
 */
function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const attributes = [`Path=${cookiePath}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax'];
  if (secure) attributes.push('Secure');

  return [`${pendingCookie}=${value}`, ...attributes].join('; ');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }

  return undefined;
}
