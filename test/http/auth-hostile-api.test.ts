// Bad input at the management API and the token endpoint: hostile names, malformed and
// oversized bodies, wrong content types. Each gets a clear 4xx; nothing is created; the server
// keeps serving.
import { describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, basicHeader } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { rawRequest } from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });
const api = () => new ApiClient(server().url);

function expectClientError(status: number): void {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
}

describe('hostile project names', () => {
  const names = [
    '..',
    '.',
    'UPPER',
    'a'.repeat(129),
    'a/b',
    'a b',
    '-lead',
    'trail-',
    'a..b',
    'é',
    '',
    'robot$x',
    'a\u0000b',
  ];

  it.each(names)('refuses to create %j', async (name) => {
    const res = await api().post('/projects', {
      basic: adminCredentials,
      body: { name },
      invalid: true,
    });

    expectClientError(res.status);
    const list = await api().get<{ items: { name: string }[] }>('/projects', {
      basic: adminCredentials,
    });
    expect(list.body.items.map((p) => p.name)).not.toContain(name);
  });

  const paths = [
    '/api/v1/projects/..',
    '/api/v1/projects/%2e%2e',
    '/api/v1/projects/%2E%2E/members',
    '/api/v1/projects/x%2f..%2fy',
    `/api/v1/projects/${'a'.repeat(5000)}`,
    '/api/v1/projects/%00',
    '/api/v1/projects/../users',
    '/api/v1/users/..%2fadmin',
  ];

  it.each(paths)('answers %s with a clear 4xx', async (path) => {
    const header = `Basic ${Buffer.from('admin:admin-test-password').toString('base64')}`;
    const res = await rawRequest(server(), 'GET', path, { authorization: header });

    expectClientError(res.status);
    expect(res.body).not.toContain('passwordHash');
  });
});

describe('malformed bodies', () => {
  it('refuses broken JSON', async () => {
    const res = await api().post('/projects', {
      basic: adminCredentials,
      rawBody: '{"name": "x",',
    });

    expect(res.status).toBe(400);
  });

  it('refuses a body that is not an object', async () => {
    for (const rawBody of ['[]', '"x"', '42', 'null']) {
      const res = await api().post('/projects', { basic: adminCredentials, rawBody });
      expectClientError(res.status);
    }
  });

  it('refuses unknown fields instead of ignoring them', async () => {
    const res = await api().post('/projects', {
      basic: adminCredentials,
      body: { name: 'extra', admin: true },
      invalid: true,
    });

    expect(res.status).toBe(400);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await api().post('/projects', {
      basic: adminCredentials,
      rawBody: JSON.stringify({ name: 'big', labels: { x: 'y'.repeat(400_000) } }),
    });

    expect(res.status).toBe(413);
  });

  it('refuses a body of the wrong media type', async () => {
    const res = await api().post('/projects', {
      basic: adminCredentials,
      rawBody: 'name=x',
      contentType: 'text/plain',
    });

    expect(res.status).toBe(415);
  });

  it('refuses a JSON body in a charset other than UTF-8, which it would misread', async () => {
    const body = (name: string, charset: string) => ({
      basic: adminCredentials,
      rawBody: JSON.stringify({ name }),
      contentType: `application/json; charset=${charset}`,
    });

    expect((await api().post('/projects', body('wide', 'utf-16'))).status).toBe(415);
    expect((await api().post('/projects', body('latin', 'iso-8859-1'))).status).toBe(415);
    expect((await api().post('/projects', body('narrow', '"UTF-8"'))).status).toBe(201);
  });

  it('refuses a body that is not valid UTF-8 rather than storing replacement characters', async () => {
    const prefix = Buffer.from('{"name":"bytes","labels":{"a":"');
    const body = Buffer.concat([prefix, Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]);

    const res = await fetch(`${server().url}/api/v1/projects`, {
      method: 'POST',
      headers: { authorization: basicHeader(adminCredentials), 'content-type': 'application/json' },
      body,
    });

    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not valid UTF-8');
    expect((await api().get('/projects/bytes', { basic: adminCredentials })).status).toBe(404);
  });

  it('refuses prototype-pollution keys in labels', async () => {
    const res = await api().post('/projects', {
      basic: adminCredentials,
      rawBody: '{"name":"proto","labels":{"__proto__":{"admin":true}}}',
    });

    expectClientError(res.status);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('credentials', () => {
  it('refuses malformed Authorization headers with 401', async () => {
    for (const authorization of ['Basic !!!', 'Basic ', 'Bearer ', 'Basic Og==', 'Bearer a b']) {
      const res = await api().get('/whoami', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('refuses a registry pull token at the management API', async () => {
    const admin = new AdminApi(server());
    await admin.createProject('tokens');
    const query = new URLSearchParams({ service: 'berth', scope: 'repository:tokens/app:pull' });
    const header = `Basic ${Buffer.from('admin:admin-test-password').toString('base64')}`;
    const token = (await (
      await fetch(`${server().url}/auth/token?${query}`, { headers: { authorization: header } })
    ).json()) as { token: string };

    const res = await api().get('/users', { token: token.token });

    expect(res.status).toBe(401);
  });

  it('still serves after all of the above', async () => {
    const res = await api().get('/whoami', { basic: adminCredentials });

    expect(res.status).toBe(200);
  });
});

describe('401 answers of the management API', () => {
  it('name the token endpoint and the API scope, as Bearer so browsers ask nothing', async () => {
    const res = await fetch(`${server().url}/api/v1/users`);

    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/auth\/token"/);
    expect(challenge).toContain('service="berth"');
    expect(challenge).toContain('scope="berth:api:*"');
  });
});
