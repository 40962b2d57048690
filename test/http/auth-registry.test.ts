// Registry authentication (Docker token authentication spec and its OAuth2 form): challenges,
// the token endpoint, multi-scope grants, refresh tokens, key rotation, robots, anonymous access
// to public and private projects, and hostile credentials and names.
import { generateKeyPair, SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logging.js';
import { AdminApi, adminCredentials, basicHeader, RegistryAs } from '../support/accounts.js';
import type { Credentials } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { MediaType, rawRequest, sha256 } from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});

const server = useTestServer(
  { auth: { enabled: true, lockout: { slowAfter: 100, attempts: 100 } } },
  { logger: createLogger('debug', logSink) },
);

let admin: AdminApi;
let dev: Credentials;
let guest: Credentials;
let stranger: Credentials;

interface TokenBody {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
  refresh_token?: string;
  scope?: string;
}

/** GET /auth/token with Basic credentials (or none) and any number of scopes. */
async function tokenFor(
  credentials: Credentials | undefined,
  scopes: string[],
  extra: Record<string, string> = {},
): Promise<{ status: number; body: TokenBody }> {
  const query = new URLSearchParams({ service: 'berth', ...extra });
  for (const scope of scopes) query.append('scope', scope);
  const headers: Record<string, string> = {};
  if (credentials) headers.authorization = basicHeader(credentials);

  const res = await fetch(`${server().url}/auth/token?${query}`, { headers });
  return { status: res.status, body: (await res.json()) as TokenBody };
}

async function postToken(form: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of [value].flat()) body.append(key, v);
  }
  const res = await fetch(`${server().url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
  return { status: res.status, body: (await res.json()) as TokenBody & { error?: string } };
}

function withBearer(token: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server().url}/v2/${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  });
}

function accessOf(token: string) {
  return decodeJwt(token).access as { type: string; name: string; actions: string[] }[];
}

/** Parses `Bearer realm="…",service="…",scope="…"` into its parameters. */
function challenge(res: Response): Record<string, string> {
  const header = res.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);

  return Object.fromEntries(
    [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]),
  );
}

beforeAll(async () => {
  admin = new AdminApi(server());
  dev = await admin.createUser('dana');
  guest = await admin.createUser('gus');
  stranger = await admin.createUser('sam');

  await admin.createProject('dev', { labels: { env: 'dev' } });
  await admin.createProject('prod', { labels: { env: 'prod' } });
  await admin.createProject('pub', { public: true });
  await admin.createProject('secret');
  await admin.addMember('dev', 'user', 'dana', 'developer');
  await admin.addMember('prod', 'user', 'dana', 'guest');
  await admin.addMember('prod', 'user', 'gus', 'guest');

  const root = new RegistryAs(server(), adminCredentials);
  for (const repo of ['dev/app', 'prod/app', 'pub/base']) await root.pushed(repo, 'v1');
});

describe('challenges', () => {
  it('answers an anonymous /v2/ with 401 and a Bearer challenge naming realm and service', async () => {
    const res = await fetch(`${server().url}/v2/`);

    expect(res.status).toBe(401);
    const params = challenge(res);
    expect(params.realm).toBe(`${server().url}/auth/token`);
    expect(params.service).toBe('berth');
  });

  it('names the scope a private pull needs', async () => {
    const res = await new RegistryAs(server()).pull('prod/app', 'v1');

    expect(res.status).toBe(401);
    expect(challenge(res).scope).toBe('repository:prod/app:pull');
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(
      'UNAUTHORIZED',
    );
  });

  it('refuses a signed-in user without the right with 403 DENIED and insufficient_scope', async () => {
    const res = await new RegistryAs(server(), guest).pushImage('prod/app', 'nope');

    expect(res.status).toBe(403);
    expect(challenge(res).error).toBe('insufficient_scope');
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('DENIED');
  });

  it('puts a safe realm in the challenge whatever the Host header says', async () => {
    const res = await rawRequest(server(), 'GET', '/v2/', { host: 'evil.test"bad' });

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('realm="http://localhost/auth/token"');
  });
});

describe('the token endpoint', () => {
  it('grants the intersection of several requested scopes and what the user may do', async () => {
    const { status, body } = await tokenFor(dev, [
      'repository:dev/app:pull,push',
      'repository:prod/app:pull,push,delete',
      'repository:secret/thing:pull',
    ]);

    expect(status).toBe(200);
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBeGreaterThan(0);
    expect(accessOf(body.token)).toEqual([
      { type: 'repository', name: 'dev/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'prod/app', actions: ['pull'] },
    ]);
  });

  it('lets a multi-scope token pull and push exactly where it says', async () => {
    const { body } = await tokenFor(dev, [
      'repository:dev/app:pull,push',
      'repository:prod/app:pull',
    ]);
    const accept = { accept: MediaType.ociManifest };

    expect((await withBearer(body.token, 'dev/app/manifests/v1', { headers: accept })).status).toBe(
      200,
    );
    expect(
      (await withBearer(body.token, 'prod/app/manifests/v1', { headers: accept })).status,
    ).toBe(200);
    const upload = await withBearer(body.token, 'prod/app/blobs/uploads/', { method: 'POST' });
    expect(upload.status).toBe(403);
  });

  it('asks for a new token (401) when the token lacks a scope the account could have', async () => {
    const { body } = await tokenFor(dev, ['repository:dev/app:pull']);

    const res = await withBearer(body.token, 'dev/app/blobs/uploads/', { method: 'POST' });

    expect(res.status).toBe(401);
    expect(challenge(res).scope).toBe('repository:dev/app:pull,push');
  });

  it('leaves out scopes naming other projects instead of failing the request', async () => {
    const { status, body } = await tokenFor(stranger, [
      'repository:dev/app:pull,push',
      'repository:prod/app:*',
      'repository:../../etc:pull',
      'registry:catalog:*',
    ]);

    expect(status).toBe(200);
    expect(accessOf(body.token)).toEqual([{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  });

  it('issues the largest token it allows small enough to be sent back with long headers', async () => {
    const longName = await admin.createUser(`l${'o'.repeat(125)}ng`);
    await admin.addMember('dev', 'user', longName.username, 'developer');
    const names = Array.from(
      { length: 64 },
      (_, i) => `dev/${String(i).padStart(2, '0')}${'n'.repeat(70)}`,
    );
    const scopes = names.map((name) => `repository:${name}:pull`);
    expect(scopes.join(' ').length).toBeLessThanOrEqual(6 * 1024);

    const { status, body } = await postToken({
      grant_type: 'password',
      ...longName,
      scope: scopes,
    });
    expect(status).toBe(200);
    expect(accessOf(body.token)).toHaveLength(64);

    const headers = { 'user-agent': `containerd/2.0 ${'x'.repeat(1500)}`, accept: '*/*' };
    const res = await withBearer(body.token, `${names[0]}/manifests/v1`, { headers });
    expect(res.status).toBe(404);
  });

  it('grants only the actions a registry token knows, and the API scope only whole', async () => {
    const { body } = await tokenFor(adminCredentials, [
      'repository:not-yet/app:pull,bogus',
      'repository:dev/app:push,pull,pull,teleport',
      'berth:api:read',
    ]);

    expect(accessOf(body.token)).toEqual([
      { type: 'repository', name: 'not-yet/app', actions: ['pull'] },
      { type: 'repository', name: 'dev/app', actions: ['push', 'pull'] },
    ]);
  });

  it('refuses more scopes than a token header can carry with 400 invalid_scope', async () => {
    const many = Array.from({ length: 65 }, (_, i) => `repository:dev/app-${i}:pull`);
    const long = Array.from({ length: 9 }, (_, i) => `repository:dev/${'a/'.repeat(490)}${i}:pull`);

    for (const scope of [many, long]) {
      // POST: the long names would not fit in a request line either.
      const { status, body } = await postToken({ grant_type: 'password', ...dev, scope });
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_scope' });
    }
    expect((await tokenFor(dev, many.slice(0, 64))).status).toBe(200);
  });

  it('issues anonymous tokens that pull public projects and nothing else', async () => {
    const { status, body } = await tokenFor(undefined, [
      'repository:pub/base:pull,push',
      'repository:prod/app:pull',
    ]);

    expect(status).toBe(200);
    expect(accessOf(body.token)).toEqual([
      { type: 'repository', name: 'pub/base', actions: ['pull'] },
    ]);
    expect(body.refresh_token).toBeUndefined();
  });

  it('refuses wrong passwords, an unknown service and bearer credentials', async () => {
    expect((await tokenFor({ ...dev, password: 'wrong' }, [])).status).toBe(401);
    expect((await tokenFor(dev, [], { service: 'elsewhere' })).status).toBe(400);

    const res = await fetch(`${server().url}/auth/token?service=berth`, {
      headers: { authorization: 'Bearer abc.def.ghi' },
    });
    expect(res.status).toBe(401);
  });

  it('gives identity tokens (password grant, offline) that the refresh grant exchanges', async () => {
    const first = await postToken({
      grant_type: 'password',
      username: dev.username,
      password: dev.password,
      service: 'berth',
      client_id: 'docker',
      access_type: 'offline',
      scope: 'repository:dev/app:pull',
    });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBeTruthy();

    const second = await postToken({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token!,
      service: 'berth',
      client_id: 'docker',
      scope: ['repository:dev/app:pull,push', 'repository:prod/app:push'],
    });
    expect(second.status).toBe(200);
    expect(accessOf(second.body.access_token)).toEqual([
      { type: 'repository', name: 'dev/app', actions: ['pull', 'push'] },
    ]);
  });

  it('does not accept an access token as a refresh token, nor the reverse', async () => {
    const { body } = await tokenFor(dev, ['repository:dev/app:pull'], { offline_token: 'true' });
    expect(body.refresh_token).toBeTruthy();

    const refreshWithAccess = await postToken({
      grant_type: 'refresh_token',
      refresh_token: body.token,
      service: 'berth',
    });
    expect(refreshWithAccess.status).toBe(400);
    expect(refreshWithAccess.body.error).toBe('invalid_grant');

    const res = await withBearer(body.refresh_token!, 'dev/app/manifests/v1');
    expect(res.status).toBe(401);
  });

  it('answers malformed token requests with OAuth errors', async () => {
    expect((await postToken({ grant_type: 'password', username: 'dana' })).status).toBe(400);
    expect((await postToken({ grant_type: 'client_credentials' })).body.error).toBe(
      'unsupported_grant_type',
    );
    expect((await postToken({ grant_type: 'refresh_token', refresh_token: 'x' })).status).toBe(400);

    const json = await fetch(`${server().url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);

    const huge = await fetch(`${server().url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=password&username=${'a'.repeat(200_000)}`,
    });
    expect(huge.status).toBe(413);
  });
});

describe('hostile bearer tokens', () => {
  async function pullWith(token: string): Promise<Response> {
    return withBearer(token, 'dev/app/manifests/v1', {
      headers: { accept: MediaType.ociManifest },
    });
  }

  async function expectRejected(token: string): Promise<void> {
    const res = await pullWith(token);
    expect(res.status).toBe(401);
    expect(challenge(res).error).toBe('invalid_token');
    // The scope tells the client which new token to ask for (an expired one, mostly).
    expect(challenge(res).scope).toBe('repository:dev/app:pull');
  }

  it('rejects garbage, empty segments and oversized tokens', async () => {
    for (const token of ['garbage', 'a.b.c', '..', 'x'.repeat(12_000), 'eyJhbGciOi.e30.']) {
      await expectRejected(token);
    }
    // Past Node's 16 KiB header limit the HTTP layer answers before Berth sees the request.
    expect((await pullWith('x'.repeat(20_000))).status).toBe(431);
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const { body } = await tokenFor(guest, ['repository:prod/app:pull']);
    const [header, , signature] = body.token.split('.');
    const claims = { ...decodeJwt(body.token), sub: 'admin' };
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');

    await expectRejected(`${header}.${forged}.${signature}`);
  });

  it('rejects a token signed by another key under a known key id', async () => {
    const { body } = await tokenFor(dev, ['repository:dev/app:pull']);
    const { kid } = decodeProtectedHeader(body.token);
    const { privateKey } = await generateKeyPair('ES256');

    const forged = await new SignJWT({ ...decodeJwt(body.token) })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .sign(privateKey);

    await expectRejected(forged);
  });

  it('rejects unsigned (alg none) and HMAC tokens', async () => {
    const { body } = await tokenFor(dev, ['repository:dev/app:pull']);
    const payload = Buffer.from(JSON.stringify(decodeJwt(body.token))).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectRejected(`${none}.${payload}.`);

    const { kid } = decodeProtectedHeader(body.token);
    const hmac = await new SignJWT({ ...decodeJwt(body.token) })
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode('guessed-secret'));
    await expectRejected(hmac);
  });

  it('rejects an expired token signed with the real key', async () => {
    const key = await server().berth.auth!.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const { body } = await tokenFor(dev, ['repository:dev/app:pull']);

    const expired = await new SignJWT({ ...decodeJwt(body.token) })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuedAt(now - 3600)
      .setNotBefore(now - 3600)
      .setExpirationTime(now - 600)
      .sign(key.privateKey);
    const res = await pullWith(expired);

    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(
      /expired/,
    );
  });

  it('keeps tokens signed before a key rotation valid, and signs new ones with the new key', async () => {
    const before = (await tokenFor(dev, ['repository:dev/app:pull'])).body.token;
    const api = new ApiClient(server().url);
    const rotated = await api.post('/system/signing-keys/rotate', { basic: adminCredentials });
    expect(rotated.status).toBeLessThan(300);

    const after = (await tokenFor(dev, ['repository:dev/app:pull'])).body.token;
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect((await pullWith(before)).status).toBe(200);
    expect((await pullWith(after)).status).toBe(200);

    const jwks = (await (await fetch(`${server().url}/auth/jwks`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    const kids = jwks.keys.map((k) => k.kid);
    expect(kids).toContain(decodeProtectedHeader(before).kid);
    expect(kids).toContain(decodeProtectedHeader(after).kid);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('stops honouring tokens of a user once the user is disabled', async () => {
    const temp = await admin.createUser('temp-user');
    await admin.addMember('dev', 'user', 'temp-user', 'developer');
    const { body } = await tokenFor(temp, ['repository:dev/app:pull']);
    expect((await pullWith(body.token)).status).toBe(200);

    const res = await admin.api.patch('/users/temp-user', {
      basic: adminCredentials,
      body: { disabled: true },
    });
    expect(res.status).toBe(200);

    expect((await pullWith(body.token)).status).toBe(401);
    expect((await new RegistryAs(server(), temp).pull('dev/app', 'v1')).status).toBe(401);
  });
});

describe('anonymous access', () => {
  const anonymous = () => new RegistryAs(server());

  it('pulls from a public project without credentials', async () => {
    expect((await anonymous().pull('pub/base', 'v1')).status).toBe(200);
    expect((await anonymous().fetch('pub/base/tags/list')).status).toBe(200);
  });

  it('cannot pull from a private project, push anywhere or list the catalog', async () => {
    expect((await anonymous().pull('prod/app', 'v1')).status).toBe(401);
    expect((await anonymous().pushImage('pub/base', 'anon')).status).toBe(401);
    expect((await anonymous().fetch('_catalog')).status).toBe(401);
  });

  it('cannot tell a missing private project from a forbidden one', async () => {
    const missing = await anonymous().pull('no-such-project/app', 'v1');
    const hidden = await anonymous().pull('prod/app', 'v1');

    expect(missing.status).toBe(hidden.status);
  });

  it('shows a signed-in user only the projects they can read in the catalog', async () => {
    const res = await new RegistryAs(server(), guest).fetch('_catalog');
    const { repositories } = (await res.json()) as { repositories: string[] };

    expect(repositories).toContain('prod/app');
    expect(repositories).toContain('pub/base');
    expect(repositories).not.toContain('dev/app');
  });

  it('a private project turned public becomes pullable, and back', async () => {
    await admin.createProject('flip');
    await new RegistryAs(server(), adminCredentials).pushed('flip/app', 'v1');
    expect((await anonymous().pull('flip/app', 'v1')).status).toBe(401);

    await admin.api.patch('/projects/flip', { basic: adminCredentials, body: { public: true } });
    expect((await anonymous().pull('flip/app', 'v1')).status).toBe(200);

    await admin.api.patch('/projects/flip', { basic: adminCredentials, body: { public: false } });
    expect((await anonymous().pull('flip/app', 'v1')).status).toBe(401);
  });
});

describe('robot accounts', () => {
  it('pushes and pulls where its grants say, through Basic and through tokens', async () => {
    const ci = await admin.createRobot('ci', [
      { project: 'dev', actions: ['pull', 'push'] },
      { project: 'prod', actions: ['pull'] },
    ]);
    expect(ci.username).toBe('robot$ci');

    const robot = new RegistryAs(server(), ci);
    expect((await robot.pushImage('dev/app', 'from-ci')).status).toBe(201);
    expect((await robot.pull('prod/app', 'v1')).status).toBe(200);
    expect((await robot.pushImage('prod/app', 'from-ci')).status).toBe(403);

    const { body } = await tokenFor(ci, ['repository:dev/app:push,pull', 'repository:prod/app:*']);
    expect(accessOf(body.token)).toEqual([
      { type: 'repository', name: 'dev/app', actions: ['push', 'pull'] },
      { type: 'repository', name: 'prod/app', actions: ['pull'] },
    ]);
  });

  it('narrows a grant to repository patterns', async () => {
    const bot = await admin.createRobot('frontend', [
      { project: 'dev', repositories: ['web/*'], actions: ['pull', 'push'] },
    ]);
    const robot = new RegistryAs(server(), bot);

    expect((await robot.pushImage('dev/web/shop', 'v1')).status).toBe(201);
    expect((await robot.pushImage('dev/web/shop/deeper', 'v1')).status).toBe(403);
    expect((await robot.pushImage('dev/api', 'v1')).status).toBe(403);
    expect((await robot.pull('dev/app', 'v1')).status).toBe(403);
  });

  it('keeps a project robot inside its project whatever its grants name', async () => {
    const res = await admin.api.post('/projects/dev/robots', {
      basic: adminCredentials,
      body: { name: 'escape', grants: [{ project: 'prod', actions: ['pull'] }] },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);

    const inside = await admin.createRobot('builder', [{ project: 'dev', actions: ['pull'] }], {
      project: 'dev',
    });
    expect((await new RegistryAs(server(), inside).pull('dev/app', 'v1')).status).toBe(200);
    expect((await new RegistryAs(server(), inside).pull('prod/app', 'v1')).status).toBe(403);
  });

  it('lets a system robot with "*" pull every project', async () => {
    const mirror = await admin.createRobot('mirror', [{ project: '*', actions: ['pull'] }]);
    for (const repo of ['dev/app', 'prod/app', 'pub/base']) {
      expect((await new RegistryAs(server(), mirror).pull(repo, 'v1')).status).toBe(200);
    }
    expect((await new RegistryAs(server(), mirror).pushImage('dev/app', 'x')).status).toBe(403);
  });

  it('sees in the catalog and the project list what its grants cover project-wide', async () => {
    const catalogOf = async (login: Credentials) => {
      const res = await new RegistryAs(server(), login).fetch('_catalog');
      return ((await res.json()) as { repositories: string[] }).repositories;
    };
    const projectsOf = async (login: Credentials) => {
      const res = await admin.api.get<{ items: { name: string }[] }>('/projects', { basic: login });
      return res.body.items.map((p) => p.name);
    };
    const readsDev = async (login: Credentials) =>
      (await admin.api.get('/projects/dev', { basic: login })).status;
    const everywhere = await admin.createRobot('everywhere', [{ project: '*', actions: ['pull'] }]);
    const reader = await admin.createRobot('reader', [
      { project: 'dev', actions: ['pull', 'read-project'] },
    ]);
    const puller = await admin.createRobot('puller', [{ project: 'dev', actions: ['pull'] }]);
    const narrowed = await admin.createRobot('narrowed', [
      { project: 'dev', repositories: ['app'], actions: ['pull', 'read-project'] },
    ]);

    expect(await catalogOf(everywhere)).toEqual(expect.arrayContaining(['dev/app', 'prod/app']));
    expect(await catalogOf(puller)).toContain('dev/app');
    expect(await catalogOf(puller)).not.toContain('prod/app');
    expect(await projectsOf(reader)).toContain('dev');
    expect(await readsDev(reader)).toBe(200);
    expect(await projectsOf(puller)).not.toContain('dev');
    expect(await readsDev(puller), 'may pull there, so it may know the project exists').toBe(403);
    expect(await projectsOf(narrowed)).not.toContain('dev');
    expect(await readsDev(narrowed)).toBe(404);
  });

  it('is refused once expired, disabled or with a rotated secret', async () => {
    const soon = new Date(Date.now() + 1500).toISOString();
    const expiring = await admin.createRobot('short', [{ project: 'dev', actions: ['pull'] }], {
      expiresAt: soon,
    });
    expect((await new RegistryAs(server(), expiring).pull('dev/app', 'v1')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await new RegistryAs(server(), expiring).pull('dev/app', 'v1')).status).toBe(401);
    expect((await tokenFor(expiring, [])).status).toBe(401);

    const later = await admin.createRobot('switch', [{ project: 'dev', actions: ['pull'] }]);
    const token = (await tokenFor(later, ['repository:dev/app:pull'])).body.token;
    await admin.api.patch('/robots/robot$switch', {
      basic: adminCredentials,
      body: { disabled: true },
    });
    expect((await new RegistryAs(server(), later).pull('dev/app', 'v1')).status).toBe(401);
    expect((await withBearer(token, 'dev/app/manifests/v1')).status).toBe(401);

    const rotating = await admin.createRobot('rotating', [{ project: 'dev', actions: ['pull'] }]);
    const rotated = await admin.api.post<{ secret: string }>('/robots/robot$rotating/secret', {
      basic: adminCredentials,
    });
    expect(rotated.status).toBe(200);
    expect((await new RegistryAs(server(), rotating).pull('dev/app', 'v1')).status).toBe(401);
    const fresh = { username: rotating.username, password: rotated.body.secret };
    expect((await new RegistryAs(server(), fresh).pull('dev/app', 'v1')).status).toBe(200);
  });

  it('refuses robots that try to manage accounts', async () => {
    const ci = await admin.createRobot('meddler', [{ project: 'dev', actions: ['push', 'pull'] }]);
    const api = new ApiClient(server().url);

    expect((await api.get('/users', { basic: ci })).status).toBe(403);
    expect(
      (await api.put('/projects/dev/members/user/sam', { basic: ci, body: { role: 'guest' } }))
        .status,
    ).toBe(403);
    const res = await admin.api.post('/robots', {
      basic: adminCredentials,
      body: { name: 'greedy', grants: [{ project: 'dev', actions: ['manage-members'] }] },
      invalid: true,
    });
    expect(res.status).toBe(400);
  });

  it('is audited like a user', async () => {
    const bot = await admin.createRobot('audited', [{ project: 'dev', actions: ['push', 'pull'] }]);
    await new RegistryAs(server(), bot).pushed('dev/app', 'audited');
    await server().berth.auth!.audit.flush();

    const res = await admin.api.get<{ items: { actor: string; action: string }[] }>(
      '/audit?actor=robot$audited',
      { basic: adminCredentials },
    );
    const actions = res.body.items.map((e) => e.action);
    expect(actions).toContain('login');
    expect(actions).toContain('artifact.push');
  });
});

describe('cross-project mounts', () => {
  it('falls back to a normal upload when the caller cannot pull the source', async () => {
    const layer = Buffer.from(`secret layer ${Date.now()}`);
    const root = new RegistryAs(server(), adminCredentials);
    const digest = sha256(layer);
    const pushed = await root.fetch(`prod/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: layer,
    });
    expect(pushed.status).toBe(201);

    await admin.addMember('dev', 'user', 'sam', 'developer');
    const mount = await new RegistryAs(server(), stranger).fetch(
      `dev/app/blobs/uploads/?mount=${digest}&from=prod/app`,
      { method: 'POST' },
    );
    expect(mount.status).toBe(202);
    expect(mount.headers.get('location')).toBeTruthy();

    const allowed = await new RegistryAs(server(), dev).fetch(
      `dev/app/blobs/uploads/?mount=${digest}&from=prod/app`,
      { method: 'POST' },
    );
    expect(allowed.status).toBe(201);
  });
});

describe('hostile repository names', () => {
  const paths = [
    '/v2/dev/../prod/app/manifests/v1',
    '/v2/dev/%2e%2e/prod/app/manifests/v1',
    '/v2/dev/%2E%2E/prod/app/manifests/v1',
    '/v2/dev%2f..%2fprod/app/manifests/v1',
    '/v2/PROD/app/manifests/v1',
    '/v2/Prod/App/manifests/v1',
    `/v2/dev/${'a'.repeat(300)}/manifests/v1`,
    `/v2/${'a/'.repeat(200)}app/manifests/v1`,
    '/v2/dev/app%00/manifests/v1',
    '/v2/./prod/app/manifests/v1',
  ];

  it.each(paths)('%s gets a clear 4xx and never prod content', async (path) => {
    const res = await rawRequest(server(), 'GET', path, { authorization: basicHeader(dev) });

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toContain('"schemaVersion"');
  });

  it('refuses a token scope with a traversal name', async () => {
    const { body } = await tokenFor(dev, ['repository:dev/../prod/app:pull']);
    expect(accessOf(body.token)).toEqual([]);
  });
});

describe('logs', () => {
  it('never hold a password, a robot secret or a token', async () => {
    const bot = await admin.createRobot('logcheck', [{ project: 'dev', actions: ['pull'] }]);
    const { body } = await tokenFor(dev, ['repository:dev/app:pull'], { offline_token: 'true' });
    await withBearer(body.token, 'dev/app/manifests/v1');
    await new RegistryAs(server(), bot).pull('dev/app', 'v1');
    await tokenFor({ ...dev, password: 'wrong-password-xyz' }, []);
    await postToken({ grant_type: 'refresh_token', refresh_token: body.refresh_token! });
    await fetch(`${server().url}/auth/token?service=berth&password=leaky-query-secret`);

    const logs = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [
      dev.password,
      guest.password,
      bot.password,
      adminCredentials.password,
      'wrong-password-xyz',
      'leaky-query-secret',
      body.token,
      body.refresh_token!,
      Buffer.from(`${dev.username}:${dev.password}`).toString('base64'),
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('revoked tokens stay revoked', () => {
  async function offline(who: Credentials, scope: string) {
    const { status, body } = await postToken({
      grant_type: 'password',
      username: who.username,
      password: who.password,
      service: 'berth',
      access_type: 'offline',
      scope,
    });
    expect(status).toBe(200);
    return body;
  }

  async function refresh(token: string) {
    return postToken({ grant_type: 'refresh_token', refresh_token: token, service: 'berth' });
  }

  it('ends a robot’s refresh and access tokens when its secret is rotated', async () => {
    const bot = await admin.createRobot('revoked-rotate', [{ project: 'dev', actions: ['pull'] }]);
    const tokens = await offline(bot, 'repository:dev/app:pull');

    await admin.api.post('/robots/robot$revoked-rotate/secret', { basic: adminCredentials });

    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
    expect((await withBearer(tokens.access_token, 'dev/app/manifests/v1')).status).toBe(401);
  });

  it('does not revive a robot’s tokens when it is enabled again', async () => {
    const bot = await admin.createRobot('revoked-toggle', [{ project: 'dev', actions: ['pull'] }]);
    const tokens = await offline(bot, 'repository:dev/app:pull');
    const path = '/robots/robot$revoked-toggle';

    await admin.api.patch(path, { basic: adminCredentials, body: { disabled: true } });
    await admin.api.patch(path, { basic: adminCredentials, body: { disabled: false } });

    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
    expect((await new RegistryAs(server(), bot).pull('dev/app', 'v1')).status).toBe(200);
  });

  it('does not revive a user’s tokens when the user is enabled again in the same second', async () => {
    const user = await admin.createUser('toggled');
    const tokens = await offline(user, 'berth:api:*');

    await admin.api.patch('/users/toggled', { basic: adminCredentials, body: { disabled: true } });
    await admin.api.patch('/users/toggled', { basic: adminCredentials, body: { disabled: false } });

    expect((await refresh(tokens.refresh_token!)).status).toBe(400);
  });

  it('does not hand an old account’s tokens to a new account of the same name', async () => {
    const first = await admin.createUser('reborn');
    const userTokens = await offline(first, 'berth:api:*');
    await admin.api.delete('/users/reborn', { basic: adminCredentials });
    await admin.createUser('reborn');

    const bot = await admin.createRobot('reborn', [{ project: 'dev', actions: ['pull'] }]);
    const botTokens = await offline(bot, 'repository:dev/app:pull');
    await admin.api.delete('/robots/robot$reborn', { basic: adminCredentials });
    await admin.createRobot('reborn', [{ project: 'dev', actions: ['pull', 'push'] }]);

    expect((await refresh(userTokens.refresh_token!)).status).toBe(400);
    expect((await refresh(botTokens.refresh_token!)).status).toBe(400);
    expect((await withBearer(botTokens.access_token, 'dev/app/manifests/v1')).status).toBe(401);
  });
});
