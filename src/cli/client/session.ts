import { readCredentials, updateCredentials, type Credentials } from './credentials.js';
import { ApiClient, CliError, failureMessage, fetchFrom, loginHint, readBody } from './http.js';
import type { TokenResponse } from './types.js';

export interface Session {
  server: string;
  /** Who the session acts as; undefined when nobody is logged in to the server. */
  username?: string;
  api: ApiClient;
}

/** The scope that lets a token call the management API (src/api/actor.ts). */
const apiScope = 'berth:api:*';

/**
 * A session with the chosen server: the stored refresh token is exchanged for a short-lived
 * access token, and the new refresh token the server returns is kept, so that a login stays
 * good as long as it is used within the server's refresh-token lifetime. Without a stored login
 * the session is anonymous; the server then answers what anonymous callers may see.
 */
export async function openSession(flags: { server?: string }): Promise<Session> {
  const credentials = readCredentials();
  const server = chooseServer(flags.server, credentials);
  const stored = credentials.servers[server];
  if (!stored) return { server, api: new ApiClient(server) };

  const tokens = await requestToken(server, {
    grant_type: 'refresh_token',
    refresh_token: stored.refreshToken,
  }).catch((err: unknown) => {
    throw err instanceof GrantRefused ? new CliError(loginHint) : err;
  });
  const refreshToken = tokens.refresh_token;
  if (refreshToken) {
    updateCredentials((c) => {
      c.servers[server] = { username: stored.username, refreshToken };
    });
  }

  return {
    server,
    username: stored.username,
    api: new ApiClient(server, tokens.access_token),
  };
}

/** Signs in with a password (or a robot secret) and returns a refresh token to store. */
export async function passwordLogin(
  server: string,
  username: string,
  password: string,
): Promise<string> {
  const tokens = await requestToken(server, {
    grant_type: 'password',
    username,
    password,
    access_type: 'offline',
  }).catch((err: unknown) => {
    throw err instanceof GrantRefused ? new CliError(`login failed: ${err.message}`) : err;
  });
  if (!tokens.refresh_token) throw new CliError(`${server} issued no refresh token`);

  return tokens.refresh_token;
}

/** The server a command talks to: --server, else BERTH_SERVER, else the last one logged in to. */
export function chooseServer(flag: string | undefined, credentials: Credentials): string {
  const named = flag || process.env.BERTH_SERVER || credentials.current;
  if (!named) {
    throw new CliError(
      'no server chosen: run berth login SERVER, or name one with --server or BERTH_SERVER',
    );
  }

  return normalizeServer(named);
}

/**
 * The server's base URL without a trailing slash. A bare HOST[:PORT] means https, except on
 * loopback, where registries usually run without TLS.
 */
export function normalizeServer(input: string): string {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
  const candidate = hasScheme ? input : `https://${input}`;
  const url = URL.canParse(candidate) ? new URL(candidate) : undefined;
  if (!url) {
    const what = hasScheme ? 'a valid URL' : 'a valid host[:port] or URL';
    throw new CliError(`"${input}" is not ${what}; give the server as https://HOST[:PORT]`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`"${input}" is not a server URL such as https://registry.example.com`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new CliError(`give the server as http(s)://HOST[:PORT], without credentials or query`);
  }
  if (!hasScheme && isLoopback(url.hostname)) url.protocol = 'http:';

  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The token endpoint refused the grant: wrong password, or a refresh token no longer good. */
class GrantRefused extends Error {}

async function requestToken(server: string, grant: Record<string, string>): Promise<TokenResponse> {
  const form = new URLSearchParams({ ...grant, scope: apiScope, client_id: 'berth-cli' });
  const response = await fetchFrom(server, '/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  });
  const body = await readBody(response);

  const oauthError = (body as { error?: unknown } | undefined)?.error;
  if (response.status === 400 && oauthError === 'invalid_grant') {
    throw new GrantRefused(failureMessage(server, response, body));
  }
  if (!response.ok) throw new CliError(failureMessage(server, response, body));
  if (typeof (body as Partial<TokenResponse> | undefined)?.access_token !== 'string') {
    throw new CliError(`${server} does not look like a Berth server: /auth/token gave no token`);
  }

  return body as TokenResponse;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
