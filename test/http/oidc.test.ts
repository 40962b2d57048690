// OIDC sign-in against a real provider (oidc-provider, in this process): the browser flow with
// PKCE, state and nonce, accounts and groups from claims, the admin group, tokens handed over in
// the fragment, CLI secrets for registry clients, and the ways a sign-in must be refused.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logging.js';
import { AdminApi, adminCredentials, RegistryAs } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { Browser, TestOidcProvider, type TestPerson } from '../support/oidc-provider.js';
import { startTestServer, type TestServer } from '../support/server.js';

const clientSecret = 'client-secret-for-berth-0123456789';

const dana: TestPerson = {
  sub: 'f1c0a7e2-dana',
  username: 'dana',
  password: 'dana-provider-password',
  email: 'dana@corp.test',
  name: 'Dana Scully',
  groups: ['sso-devs'],
};
const rex: TestPerson = {
  sub: 'f1c0a7e2-rex',
  username: 'rex',
  password: 'rex-provider-password',
  groups: ['sso-readers'],
};
const olga: TestPerson = {
  sub: 'f1c0a7e2-olga',
  username: 'olga',
  password: 'olga-provider-password',
  groups: ['sso-admins', 'sso-readers'],
};
const nina: TestPerson = {
  sub: 'f1c0a7e2-nina',
  username: 'nina',
  password: 'nina-provider-password',
  groups: [],
};
/** Wants the name of Berth's local administrator. */
const fakeAdmin: TestPerson = {
  sub: 'f1c0a7e2-admin',
  username: 'admin',
  password: 'fake-admin-password',
  groups: ['sso-admins'],
};
/** Another person of the provider whose name is also "dana". */
const otherDana: TestPerson = {
  sub: 'f1c0a7e2-other-dana',
  username: 'dana',
  password: 'other-dana-password',
  groups: ['sso-admins'],
};
const people = [dana, rex, olga, nina, fakeAdmin, otherDana];
const pull = 'repository:sso/app:pull';

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
/** Credentials handed out during the run, none of which may reach the log. */
const handedOut: string[] = [];

let provider: TestOidcProvider;
let server: TestServer;
let api: ApiClient;
let admin: AdminApi;

beforeAll(async () => {
  provider = await TestOidcProvider.start(people);
  server = await startTestServer(
    {
      auth: {
        enabled: true,
        lockout: { slowAfter: 100, attempts: 100 },
        oidc: {
          enabled: true,
          issuer: provider.issuer,
          clientId: 'berth',
          clientSecret,
          scopes: 'openid profile email groups',
          adminGroup: 'sso-admins',
          buttonLabel: 'Sign in with Corp SSO',
        },
      },
    },
    { logger: createLogger('debug', logSink) },
  );
  provider.register({
    clientId: 'berth',
    clientSecret,
    redirectUri: `${server.url}/auth/oidc/callback`,
  });
  api = new ApiClient(server.url);
  admin = new AdminApi(server);

  await admin.createProject('sso');
  await admin.addMember('sso', 'group', 'sso-devs', 'developer');
  await admin.addMember('sso', 'group', 'sso-readers', 'guest');
});

afterAll(async () => {
  await server?.close();
  await provider?.close();
});

interface SignedIn {
  status: number;
  /** Where Berth sent the browser at the end, fragment included. */
  location?: string;
  tokens: URLSearchParams;
  browser: Browser;
}

function loginUrl(returnTo: string): string {
  return `${server.url}/auth/oidc/login?return_to=${encodeURIComponent(returnTo)}`;
}

function isCallback(location: string): boolean {
  return location.startsWith(`${server.url}/auth/oidc/callback`);
}

/** Signs in at the provider's page and stops at the provider's redirect back to Berth. */
async function atProviderRedirect(browser: Browser, person: TestPerson, start: string) {
  const page = await browser.follow(start);
  expect(page.response.status, page.url).toBe(200);

  const back = await browser.submit(
    page,
    { login: person.username, password: person.password },
    isCallback,
  );
  expect(back.location, `no redirect back to Berth from ${back.url}`).toBeDefined();
  return back.location as string;
}

/** The whole browser flow, ending with Berth's answer to the provider's redirect. */
async function signIn(person: TestPerson, returnTo = '/'): Promise<SignedIn> {
  const browser = new Browser();
  const callback = await atProviderRedirect(browser, person, loginUrl(returnTo));

  const visit = await browser.follow(callback, () => true);
  const location = visit.location;
  const tokens = new URLSearchParams(location?.split('#')[1] ?? '');
  for (const name of ['access_token', 'refresh_token']) {
    const token = tokens.get(name);
    if (token) handedOut.push(token);
  }
  return { status: visit.response.status, location, tokens, browser };
}

async function registryToken(
  credentials: { basic?: Credentials; refresh?: string },
  scope: string,
) {
  if (credentials.refresh) {
    return api.post<{ scope?: string; error?: string }>('/auth/token', {
      form: {
        grant_type: 'refresh_token',
        refresh_token: credentials.refresh,
        service: 'berth',
        client_id: 'berth-tests',
        scope,
      },
    });
  }
  const query = new URLSearchParams({ service: 'berth', scope });
  return api.get<{ scope?: string }>(`/auth/token?${query}`, { basic: credentials.basic });
}

interface Credentials {
  username: string;
  password: string;
}

async function newCliSecret(token: string): Promise<string> {
  const res = await api.post<{ username: string; secret: string }>('/users/me/cli-secret', {
    token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  handedOut.push(res.body.secret);

  return res.body.secret;
}

describe('sign-in page', () => {
  it('tells an anonymous client that OIDC sign-in is offered, and under which label', async () => {
    const res = await api.get('/sign-in-methods');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      password: true,
      ldap: false,
      oidc: { label: 'Sign in with Corp SSO', loginUrl: '/auth/oidc/login' },
    });
  });

  it('sends the browser to the provider with PKCE S256, state and nonce', async () => {
    const res = await new Browser().request(loginUrl('/projects'));
    const location = new URL(res.headers.get('location') ?? '');
    const params = location.searchParams;
    const cookie = res.headers.getSetCookie().join('\n');

    expect(res.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('berth');
    expect(params.get('redirect_uri')).toBe(`${server.url}/auth/oidc/callback`);
    expect(params.get('scope')).toBe('openid profile email groups');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(cookie).toMatch(
      /^berth_oidc=[^;]+; Path=\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('a successful sign-in', () => {
  let signedIn: SignedIn;

  beforeAll(async () => {
    signedIn = await signIn(dana, '/projects?tab=mine');
  });

  it('returns to return_to with Berth tokens in the fragment and forgets the pending sign-in', () => {
    const { status, location, tokens, browser } = signedIn;

    expect(status).toBe(302);
    expect(location?.split('#')[0]).toBe(`${server.url}/projects?tab=mine`);
    expect(tokens.get('token_type')).toBe('Bearer');
    expect(Number(tokens.get('expires_in'))).toBe(300);
    expect(tokens.get('access_token')).toMatch(/^ey/);
    expect(tokens.get('refresh_token')).toMatch(/^ey/);
    expect(browser.cookie('berth_oidc')).toBeUndefined();
  });

  it('creates the account with source oidc, its e-mail, name and groups', async () => {
    const res = await api.get<Record<string, unknown>>('/users/dana', {
      basic: adminCredentials,
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'dana',
      source: 'oidc',
      email: 'dana@corp.test',
      displayName: 'Dana Scully',
      groups: ['sso-devs'],
      admin: false,
    });
  });

  it('gives an access token for the management API', async () => {
    const res = await api.get('/whoami', { token: signedIn.tokens.get('access_token')! });

    expect(res.body).toEqual({ kind: 'user', name: 'dana', admin: false, groups: ['sso-devs'] });
  });

  it('records the sign-in in the audit log', async () => {
    const res = await api.get<{ items: { actor: string; result: string; detail: unknown }[] }>(
      '/audit?action=login&actor=dana',
      { basic: adminCredentials },
    );

    expect(res.body.items[0]).toMatchObject({
      actor: 'dana',
      result: 'success',
      detail: { source: 'oidc' },
    });
  });

  it('updates the account on the next sign-in instead of making another', async () => {
    const again = await signIn(dana);
    const users = await api.get<{ items: { username: string }[] }>('/users?search=dana', {
      basic: adminCredentials,
    });

    expect(again.status).toBe(302);
    expect(again.location?.split('#')[0]).toBe(`${server.url}/`);
    expect(users.body.items.map((u) => u.username)).toEqual(['dana']);
  });
});

describe('groups and roles', () => {
  it('grants at the token endpoint what the groups hold in a project', async () => {
    const developer = await signIn(dana);
    const guest = await signIn(rex);
    const scope = 'repository:sso/app:pull,push';

    const forDana = await registryToken({ refresh: developer.tokens.get('refresh_token')! }, scope);
    const forRex = await registryToken({ refresh: guest.tokens.get('refresh_token')! }, scope);

    expect(forDana.status).toBe(200);
    expect(forDana.body.scope).toBe('repository:sso/app:pull,push');
    expect(forRex.status).toBe(200);
    expect(forRex.body.scope).toBe('repository:sso/app:pull');
  });

  it('makes members of the admin group system administrators, and nobody else', async () => {
    const olgaIn = await signIn(olga);
    const rexIn = await signIn(rex);

    const asOlga = await api.get('/users', { token: olgaIn.tokens.get('access_token')! });
    const asRex = await api.get('/users', { token: rexIn.tokens.get('access_token')! });
    const olgaUser = await api.get<{ admin: boolean }>('/users/olga', { basic: adminCredentials });

    expect(asOlga.status).toBe(200);
    expect(olgaUser.body.admin).toBe(true);
    expect(asRex.status).toBe(403);
  });
});

describe('CLI secrets', () => {
  let danaIn: SignedIn;

  beforeAll(async () => {
    danaIn = await signIn(dana);
  });

  it('work as the Basic password at the token endpoint and on the registry', async () => {
    const secret = await newCliSecret(danaIn.tokens.get('access_token')!);
    const credentials = { username: 'dana', password: secret };

    const token = await registryToken({ basic: credentials }, 'repository:sso/app:pull,push');
    const pushed = await new RegistryAs(server, credentials).pushImage('sso/app', 'v1');

    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('repository:sso/app:pull,push');
    expect(pushed.status).toBe(201);
  });

  it('give a guest of the project pulls only', async () => {
    const rexIn = await signIn(rex);
    const secret = await newCliSecret(rexIn.tokens.get('access_token')!);
    const registry = new RegistryAs(server, { username: 'rex', password: secret });

    expect((await registry.pull('sso/app', 'v1')).status).toBe(200);
    expect((await registry.pushImage('sso/app', 'v2')).status).toBe(403);
  });

  it('are stored as a hash only', async () => {
    // Regenerating ends every earlier session of the account, so each test signs in anew.
    const secret = await newCliSecret((await signIn(dana)).tokens.get('access_token')!);
    const db = new Database(path.join(server.dataDir, 'berth.db'), { readonly: true });
    const row = db.prepare('SELECT cli_secret_hash FROM users WHERE username = ?').get('dana') as {
      cli_secret_hash: string;
    };
    db.close();

    expect(row.cli_secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
  });

  it('stop working when regenerated, with the refresh tokens issued before', async () => {
    const fresh = await signIn(dana);
    const old = await newCliSecret(fresh.tokens.get('access_token')!);
    const oldWorks = await registryToken({ basic: { username: 'dana', password: old } }, pull);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const stale = await api.get('/whoami', { token: fresh.tokens.get('access_token')! });
    const current = await newCliSecret((await signIn(dana)).tokens.get('access_token')!);
    const withOld = await registryToken({ basic: { username: 'dana', password: old } }, pull);
    const withCurrent = await registryToken(
      { basic: { username: 'dana', password: current } },
      pull,
    );
    const refresh = await registryToken({ refresh: fresh.tokens.get('refresh_token')! }, pull);

    expect(oldWorks.status).toBe(200);
    expect(withOld.status).toBe(401);
    expect(withCurrent.status).toBe(200);
    expect(refresh.status).toBe(400);
    expect(stale.status).toBe(401);
  });

  it('are refused to accounts that have a password', async () => {
    const token = await api.login(adminCredentials.username, adminCredentials.password);
    const res = await api.post('/users/me/cli-secret', { token });

    expect(res.status).toBe(400);
  });

  it('are not a way in before one was made', async () => {
    await signIn(nina);
    const res = await registryToken(
      { basic: { username: 'nina', password: 'anything-at-all' } },
      pull,
    );

    expect(res.status).toBe(401);
  });
});

describe('refused sign-ins', () => {
  it.each([
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    'javascript:alert(1)',
    'projects',
    '/projects#section',
  ])('refuses return_to %j before leaving for the provider', async (returnTo) => {
    const res = await new Browser().request(loginUrl(returnTo));

    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a callback whose state does not match, or that another browser brings', async () => {
    const browser = new Browser();
    const callback = await atProviderRedirect(browser, nina, loginUrl('/'));
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'not-the-state-berth-sent');
    const forged = new Browser();
    forged.setCookie('berth_oidc', 'not-a-signed-sign-in', '/auth/oidc');

    const badState = await browser.request(tampered.href);
    const noCookie = await new Browser().request(callback);
    const forgedCookie = await forged.request(callback);
    const genuine = await browser.request(callback);

    expect(badState.status).toBe(400);
    expect(noCookie.status).toBe(400);
    expect(forgedCookie.status).toBe(400);
    expect(genuine.status).toBe(302);
  });

  it('refuses an ID token that does not carry the nonce Berth sent', async () => {
    const browser = new Browser();
    const start = await browser.request(loginUrl('/'));
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('nonce', 'a-nonce-berth-never-sent');

    const callback = await atProviderRedirect(browser, olga, authorize.href);
    const res = await browser.request(callback);
    const body = (await res.json()) as { errors: { message: string }[] };

    expect(res.status).toBe(401);
    expect(body.errors[0]?.message).toMatch(/identity provider/);
  });

  it('refuses a sign-in the provider answers with an error', async () => {
    const browser = new Browser();
    const start = await browser.request(loginUrl('/'));
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const callback = `${server.url}/auth/oidc/callback?error=access_denied&state=${state}`;

    const res = await browser.request(callback);

    expect(res.status).toBe(401);
  });

  it('never hands a local account to the provider', async () => {
    const attempt = await signIn(fakeAdmin);
    const local = await api.get<{ source: string }>('/users/admin', { basic: adminCredentials });

    expect(attempt.status).toBe(403);
    expect(attempt.location).toBeUndefined();
    expect(local.body.source).toBe('local');
  });

  it('never hands an account to another person of the provider with the same name', async () => {
    await signIn(dana);
    const attempt = await signIn(otherDana);
    const user = await api.get<{ admin: boolean }>('/users/dana', { basic: adminCredentials });

    expect(attempt.status).toBe(403);
    expect(user.body.admin).toBe(false);
  });
});

describe('secrets', () => {
  it('shows the client secret as redacted in GET /api/v1/settings', async () => {
    const res = await api.get<{ auth: { oidc: Record<string, unknown> } }>('/settings', {
      basic: adminCredentials,
    });

    expect(res.body.auth.oidc.clientSecret).toBe('[redacted]');
    expect(res.body.auth.oidc.issuer).toBe(provider.issuer);
    expect(JSON.stringify(res.body)).not.toContain(clientSecret);
  });

  it('never writes the client secret, passwords, CLI secrets or tokens to the log', () => {
    const secrets = [clientSecret, ...people.map((p) => p.password), ...handedOut];
    expect(handedOut.length).toBeGreaterThan(5);

    for (const line of logLines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});

describe('a provider that cannot be reached', () => {
  let unreachable: TestServer;

  beforeAll(async () => {
    unreachable = await startTestServer({
      auth: {
        enabled: true,
        oidc: { enabled: true, issuer: 'http://127.0.0.1:1', clientId: 'berth' },
      },
    });
  });
  afterAll(async () => unreachable?.close());

  it('answers 503 at the login route, and passwords still work', async () => {
    const res = await new Browser().request(`${unreachable.url}/auth/oidc/login`);
    const local = new ApiClient(unreachable.url);

    expect(res.status).toBe(503);
    expect((await local.get('/whoami', { basic: adminCredentials })).status).toBe(200);
  });
});
