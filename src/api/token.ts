import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AuthError,
  OAuthError,
  parseAuthorization,
  formatScope,
  parseScopes,
  type Auth,
  type Principal,
  type Scope,
} from '../auth/index.js';

export interface TokenResponse {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
  refresh_token?: string;
  scope?: string;
}

const maxFormBytes = 64 * 1024;

/**
 * A token travels back in an Authorization header, and Node refuses headers over 16 KiB in all
 * with 431: a token asked for more than this would be issued and then never accepted. 6 KiB of
 * scopes make a token of about 12 KiB (JSON around each scope, then base64), which leaves room
 * for a long account name and the client's other headers. Real clients ask for a handful of
 * scopes (a push with mounts: one per source repository).
 */
const maxScopes = 64;
const maxScopeChars = 6 * 1024;

/**
 * The registry token endpoint (Docker token authentication spec): GET with Basic credentials or
 * none (anonymous), and the OAuth2 POST form with the password and refresh_token grants
 * ("Using OAuth2 for Token Requests"), which `docker login` and containerd use for identity
 * tokens. The same endpoint issues the `berth:api:*` scope that the CLI and portal use.
 */
export async function tokenEndpoint(app: FastifyInstance, options: { auth: Auth }): Promise<void> {
  const { auth } = options;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: maxFormBytes },
    (_request, body, done) => done(null, new URLSearchParams(body as string)),
  );

  app.get('/auth/token', async (request, reply) => {
    request.routeKind = 'token';
    const query = new URL(request.url, 'http://berth.invalid').searchParams;
    checkService(auth, query.get('service'));

    const credentials = parseAuthorization(request.headers.authorization);
    const principal =
      credentials.kind === 'basic'
        ? await auth.authenticator.withPassword(
            credentials.username,
            credentials.password,
            request.ip,
          )
        : await anonymousOrReject(credentials.kind);
    const offline = query.get('offline_token') === 'true' && principal.kind !== 'anonymous';

    return answer(reply, await issue(auth, principal, parseScopes(query.getAll('scope')), offline));
  });

  app.post('/auth/token', async (request, reply) => {
    request.routeKind = 'token';
    const form = request.body instanceof URLSearchParams ? request.body : undefined;
    if (!form)
      throw oauthError(400, 'invalid_request', 'send an application/x-www-form-urlencoded body');
    checkService(auth, form.get('service'));

    const principal = await grantPrincipal(auth, form, request);
    const scopes = parseScopes(form.getAll('scope'));
    const offline =
      form.get('access_type') === 'offline' || form.get('grant_type') === 'refresh_token';

    return answer(reply, await issue(auth, principal, scopes, offline));
  });

  app.get('/auth/jwks', async (request, reply) => {
    request.routeKind = 'token';
    return reply.send(await auth.keys.jwks());
  });
}

async function grantPrincipal(
  auth: Auth,
  form: URLSearchParams,
  request: FastifyRequest,
): Promise<Principal> {
  const grant = form.get('grant_type');
  if (grant === 'password') {
    const username = form.get('username');
    const password = form.get('password');
    if (!username || password === null)
      throw oauthError(400, 'invalid_request', 'username and password are required');
    return withOAuthErrors(() => auth.authenticator.withPassword(username, password, request.ip));
  }
  if (grant === 'refresh_token') {
    const token = form.get('refresh_token');
    if (!token) throw oauthError(400, 'invalid_request', 'refresh_token is required');
    return withOAuthErrors(() => refreshPrincipal(auth, token));
  }

  throw oauthError(400, 'unsupported_grant_type', 'grant_type must be password or refresh_token');
}

/**
 * A refresh token stays good until it expires, or its account is deleted, disabled, or changes
 * its password (users) or secret (robots): the same test as for access tokens.
 */
async function refreshPrincipal(auth: Auth, token: string): Promise<Principal> {
  return auth.authenticator.tokenSubject(await auth.tokens.verifyRefresh(token));
}

async function issue(
  auth: Auth,
  principal: Principal,
  requested: Scope[],
  offline: boolean,
): Promise<TokenResponse> {
  checkScopeBudget(requested);

  const registryScopes = requested.filter((s) => s.type !== 'berth');
  const granted = await auth.gate.grant(principal, registryScopes);
  // The management API has one scope, all or nothing: asking for a part of it grants nothing.
  const api = requested.find((s) => s.type === 'berth' && s.name === 'api');
  if (api?.actions.includes('*') && principal.kind !== 'anonymous')
    granted.push({ type: 'berth', name: 'api', actions: ['*'] });

  const kind = principal.kind;
  const subject = kind === 'anonymous' ? 'anonymous' : principal.name;
  const account = { kind, name: subject, id: kind === 'anonymous' ? undefined : principal.id };
  const access = await auth.tokens.issueAccess(account, granted);
  const response: TokenResponse = {
    token: access.token,
    access_token: access.token,
    expires_in: access.expiresIn,
    issued_at: access.issuedAt,
    scope: granted.map(formatScope).join(' '),
  };
  if (offline && kind !== 'anonymous') {
    response.refresh_token = (await auth.tokens.issueRefresh(account)).token;
  }

  return response;
}

function checkScopeBudget(requested: Scope[]): void {
  const chars = requested.reduce((sum, scope) => sum + formatScope(scope).length + 1, 0);
  if (requested.length > maxScopes || chars > maxScopeChars) {
    throw oauthError(
      400,
      'invalid_scope',
      `a token carries at most ${maxScopes} scopes and ${maxScopeChars} characters of them; ask for fewer`,
    );
  }
}

function answer(reply: FastifyReply, body: TokenResponse): FastifyReply {
  // Tokens are credentials: RFC 6749 section 5.1 asks that they not be cached.
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
}

function checkService(auth: Auth, service: string | null): void {
  if (service !== null && service !== auth.tokens.options.service) {
    throw oauthError(400, 'invalid_request', `unknown service "${service.slice(0, 100)}"`);
  }
}

async function anonymousOrReject(kind: 'none' | 'bearer'): Promise<Principal> {
  if (kind === 'bearer') throw new AuthError('unauthenticated', 'use Basic credentials or none');
  return { kind: 'anonymous' };
}

async function withOAuthErrors(work: () => Promise<Principal>): Promise<Principal> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AuthError && err.kind !== 'locked') {
      throw oauthError(400, 'invalid_grant', err.message);
    }
    throw err;
  }
}

function oauthError(status: number, error: string, description: string): OAuthError {
  return new OAuthError(status, error, description);
}
