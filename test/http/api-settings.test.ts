// /api/v1 system endpoints: the effective settings (for administrators, without secrets), who
// the caller is, and signing key rotation, after which tokens of the old key stay valid until
// they expire.
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdminApi, adminCredentials, type Credentials } from '../support/accounts.js';
import { auditEvents } from '../support/api-fixtures.js';
import type { ApiClient } from '../support/api-client.js';
import { testAdminPassword, useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true, service: 'berth-settings' } });

let admin: AdminApi;
let api: ApiClient;
let user: Credentials;

beforeAll(async () => {
  admin = new AdminApi(server());
  api = admin.api;
  user = await admin.createUser('plain');
});

/** Every string value in `value` whose key names a credential, with its path. */
function credentialValues(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];

  return Object.entries(value).flatMap(([key, item]) => {
    const where = `${path}.${key}`;
    const credential = /password|secret|token$|private|^key$|pem/i.test(key);
    if (credential && typeof item === 'string' && item !== '[redacted]')
      return [`${where}=${item}`];
    return credentialValues(item, where);
  });
}

describe('settings', () => {
  it('shows administrators the effective configuration', async () => {
    const res = await api.get<Record<string, Record<string, unknown>>>('/settings', {
      basic: adminCredentials,
    });

    expect(res.status).toBe(200);
    expect(res.body.auth).toMatchObject({ enabled: true, service: 'berth-settings' });
    expect(res.body.dataDir).toBe(server().dataDir);
  });

  it('holds no secret: no key material, password or credential value', async () => {
    const res = await api.get('/settings', { basic: adminCredentials });
    const text = JSON.stringify(res.body);

    expect(res.body).toHaveProperty('tls', { enabled: false });
    expect(credentialValues(res.body)).toEqual([]);
    expect(text).not.toContain(testAdminPassword);
    expect(text).not.toMatch(/PRIVATE KEY|argon2/);
  });

  it('is for system administrators only', async () => {
    expect((await api.get('/settings', { basic: user })).status).toBe(403);
    expect((await api.get('/settings')).status).toBe(401);
  });
});

describe('whoami', () => {
  it('names users, robots and anonymous callers', async () => {
    const robot = await admin.createRobot('who', [{ project: '*', actions: ['pull'] }]);

    const answers = await Promise.all([
      api.get('/whoami', { basic: adminCredentials }),
      api.get('/whoami', { basic: user }),
      api.get('/whoami', { basic: robot }),
      api.get('/whoami'),
    ]);

    expect(answers.map((a) => a.body)).toEqual([
      { kind: 'user', name: 'admin', admin: true, groups: [] },
      { kind: 'user', name: 'plain', admin: false, groups: [] },
      { kind: 'robot', name: 'robot$who', admin: false, groups: [] },
      { kind: 'anonymous', name: 'anonymous', admin: false, groups: [] },
    ]);
  });
});

describe('signing key rotation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function kidOf(token: string): string | undefined {
    return decodeProtectedHeader(token).kid;
  }

  it('signs new tokens with the new key; tokens of the old one stay valid until they expire', async () => {
    const old = await api.login(user.username, user.password);
    const offline = await api.post<{ refresh_token: string }>('/auth/token', {
      form: { grant_type: 'password', ...user, access_type: 'offline' },
    });

    const res = await api.post<{ kid: string }>('/system/signing-keys/rotate', {
      basic: adminCredentials,
    });
    const fresh = await api.login(user.username, user.password);

    expect(res.status).toBe(200);
    expect(res.body.kid).not.toBe(kidOf(old));
    expect(kidOf(fresh)).toBe(res.body.kid);
    expect((await api.get('/whoami', { token: old })).status).toBe(200);
    expect((await api.get('/whoami', { token: fresh })).status).toBe(200);
    const refreshed = await api.post('/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: offline.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const jwks = await api.get<{ keys: { kid: string }[] }>('/auth/jwks');
    expect(jwks.body.keys.map((k) => k.kid)).toEqual(
      expect.arrayContaining([kidOf(old), res.body.kid]),
    );

    // Tokens live auth.tokenTtl (5 minutes); the server allows 10 seconds of clock skew.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 4 * 60_000 });
    expect((await api.get('/whoami', { token: old })).status).toBe(200);
    vi.setSystemTime(Date.now() + 60_000 + 15_000);
    expect((await api.get('/whoami', { token: old })).status).toBe(401);
  });

  it('is for system administrators only, and audited', async () => {
    expect((await api.post('/system/signing-keys/rotate', { basic: user })).status).toBe(403);

    const res = await api.post<{ kid: string }>('/system/signing-keys/rotate', {
      basic: adminCredentials,
    });

    const [event] = await auditEvents(api, { action: 'signing-key.rotate' });
    expect(event).toMatchObject({ actor: 'admin', resource: res.body.kid, result: 'success' });
  });
});
