// /api/v1 users: creating local accounts, reading and listing them (never with a password hash),
// disabling and enabling, setting passwords, and deleting, with who may do each.
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import type { Listing, Member, User } from '../support/api-fixtures.js';
import type { ApiClient, ApiResponse } from '../support/api-client.js';
import { sleep } from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });

let admin: AdminApi;
let api: ApiClient;

beforeAll(async () => {
  admin = new AdminApi(server());
  api = admin.api;
});

/** Whether `credentials` sign in: Basic on the API, and a token from the token endpoint. */
async function signsIn(credentials: Credentials): Promise<boolean> {
  const basic = await api.get('/whoami', { basic: credentials });
  const token = await api.post('/auth/token', {
    form: { grant_type: 'password', ...credentials, scope: 'berth:api:*' },
  });
  expect(basic.status === 200, 'Basic and token sign-ins agree').toBe(token.status === 200);

  return basic.status === 200;
}

function expectNoHash(res: ApiResponse): void {
  expect(JSON.stringify(res.body)).not.toMatch(/argon2|passwordHash|password/i);
}

describe('creating a user', () => {
  it('answers 201 with the account and no password or hash', async () => {
    const res = await api.post<User>('/users', {
      basic: adminCredentials,
      body: { username: 'ada', password: 'ada-password-1', email: 'ada@example.test' },
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: 'ada',
      email: 'ada@example.test',
      displayName: null,
      source: 'local',
      admin: false,
      disabled: false,
      groups: [],
      lastLoginAt: null,
    });
    expectNoHash(res);
    expect(await signsIn({ username: 'ada', password: 'ada-password-1' })).toBe(true);
  });

  it('refuses a username that is taken with 409', async () => {
    await admin.createUser('taken');
    const body = { username: 'taken', password: 'another-password' };

    expect((await api.post('/users', { basic: adminCredentials, body })).status).toBe(409);
  });

  it('refuses a username differing from a taken one only in case with 409', async () => {
    await admin.createUser('twin');
    const body = { username: 'Twin', password: 'another-password' };

    const res = await api.post<{ errors: { message: string }[] }>('/users', {
      basic: adminCredentials,
      body,
    });

    expect(res.status).toBe(409);
    expect(res.body.errors[0]?.message).toContain('"twin" already exists');
  });

  it('signs in a name typed in another case as its one account', async () => {
    const hank = await admin.createUser('hank');
    const shouted = { username: 'HANK', password: hank.password };

    expect(await signsIn(shouted)).toBe(true);
    const whoami = await api.get<{ name: string }>('/whoami', { basic: shouted });
    expect(whoami.body.name).toBe('hank');
  });

  it.each([
    ['a username with a space', { username: 'a b', password: 'long-enough-1' }],
    ['a username starting with "robot$"', { username: 'robot$x', password: 'long-enough-1' }],
    ['a password shorter than 8 characters', { username: 'shorty', password: 'short' }],
    ['an unknown field', { username: 'extra', password: 'long-enough-1', role: 'admin' }],
  ])('refuses %s with 400', async (_case, body) => {
    const res = await api.post('/users', { basic: adminCredentials, body, invalid: true });

    expect(res.status).toBe(400);
  });

  it('is for system administrators only', async () => {
    const user = await admin.createUser('plain');
    const body = { username: 'made-by-plain', password: 'long-enough-1' };

    expect((await api.post('/users', { basic: user, body })).status).toBe(403);
    expect((await api.post('/users', { body })).status).toBe(401);
  });
});

describe('reading users', () => {
  it('lists and searches accounts with pages, without hashes', async () => {
    for (const name of ['list-1', 'list-2', 'list-3']) await admin.createUser(name);

    const first = await api.get<Listing<User>>('/users?search=list-&pageSize=2', {
      basic: adminCredentials,
    });
    const second = await api.get<Listing<User>>('/users?search=list-&pageSize=2&page=2', {
      basic: adminCredentials,
    });

    expect(first.body.items.map((u) => u.username)).toEqual(['list-1', 'list-2']);
    expect(second.body.items.map((u) => u.username)).toEqual(['list-3']);
    expect(first.body.total).toBe(3);
    expectNoHash(first);
  });

  it('lets a user read their own account but nobody else’s', async () => {
    const ben = await admin.createUser('ben');
    await admin.createUser('other');

    const own = await api.get<User>('/users/ben', { basic: ben });

    expect(own.status).toBe(200);
    expect(own.body.lastLoginAt).not.toBeNull();
    expectNoHash(own);
    expect((await api.get('/users/other', { basic: ben })).status).toBe(403);
    expect((await api.get('/users', { basic: ben })).status).toBe(403);
  });

  it('answers 404 for an account that does not exist', async () => {
    expect((await api.get('/users/nobody', { basic: adminCredentials })).status).toBe(404);
  });
});

describe('changing a user', () => {
  it('lets a user change their e-mail and display name, not their admin flag', async () => {
    const cy = await admin.createUser('cy');

    const res = await api.patch<User>('/users/cy', {
      basic: cy,
      body: { email: 'cy@example.test', displayName: 'Cy' },
    });

    expect(res.body).toMatchObject({ email: 'cy@example.test', displayName: 'Cy' });
    expect((await api.patch('/users/cy', { basic: cy, body: { admin: true } })).status).toBe(403);
  });

  it('disables an account: its passwords and tokens stop working until it is enabled', async () => {
    const dee = await admin.createUser('dee');
    const token = await api.login(dee.username, dee.password);

    const res = await api.patch<User>('/users/dee', {
      basic: adminCredentials,
      body: { disabled: true },
    });

    expect(res.body.disabled).toBe(true);
    expect(await signsIn(dee)).toBe(false);
    expect((await api.get('/whoami', { token })).status).toBe(401);
    expect((await new RegistryAs(server(), dee).fetch('')).status).toBe(401);

    await api.patch('/users/dee', { basic: adminCredentials, body: { disabled: false } });
    expect(await signsIn(dee)).toBe(true);
  });

  it('keeps administrators from disabling or demoting themselves', async () => {
    const root = await api.post<User>('/users', {
      basic: adminCredentials,
      body: { username: 'root2', password: 'root2-password', admin: true },
    });
    const self = { username: 'root2', password: 'root2-password' };
    expect(root.body.admin).toBe(true);

    expect(
      (await api.patch('/users/root2', { basic: self, body: { disabled: true } })).status,
    ).toBe(400);
    expect((await api.patch('/users/root2', { basic: self, body: { admin: false } })).status).toBe(
      400,
    );
  });
});

describe('setting a password', () => {
  it('lets an administrator set anyone’s: the old one stops working at once', async () => {
    const eve = await admin.createUser('eve');

    const res = await api.put('/users/eve/password', {
      basic: adminCredentials,
      body: { password: 'eve-new-password' },
    });

    expect(res.status).toBe(204);
    expect(await signsIn(eve)).toBe(false);
    expect(await signsIn({ username: 'eve', password: 'eve-new-password' })).toBe(true);
  });

  it('lets a user change their own with the current one, and revokes refresh tokens', async () => {
    const fay = await admin.createUser('fay');
    const offline = await api.post<{ refresh_token: string }>('/auth/token', {
      form: { grant_type: 'password', ...fay, access_type: 'offline', scope: 'berth:api:*' },
    });
    const change = (currentPassword: string) =>
      api.put('/users/fay/password', {
        basic: fay,
        body: { password: 'fay-new-password', currentPassword },
      });

    // Tokens carry their issue time in whole seconds, and the server takes one from the second
    // of a change as issued after it: the change must come in a later second.
    await sleep(1100);
    expect((await change('not-the-password')).status).toBe(403);
    expect((await change(fay.password)).status).toBe(204);

    const refreshed = await api.post('/auth/token', {
      form: { grant_type: 'refresh_token', refresh_token: offline.body.refresh_token },
    });
    expect(refreshed.status).toBe(400);
    expect(await signsIn({ username: 'fay', password: 'fay-new-password' })).toBe(true);
  });

  it('refuses another user’s password change with 403', async () => {
    const gil = await admin.createUser('gil');
    await admin.createUser('hal');

    const res = await api.put('/users/hal/password', {
      basic: gil,
      body: { password: 'taken-over-1', currentPassword: gil.password },
    });

    expect(res.status).toBe(403);
  });
});

describe('deleting a user', () => {
  it('removes the account and its memberships', async () => {
    const ivy = await admin.createUser('ivy');
    await admin.createProject('ivy-project');
    await admin.addMember('ivy-project', 'user', 'ivy', 'developer');

    const res = await api.delete('/users/ivy', { basic: adminCredentials });

    expect(res.status).toBe(204);
    expect(await signsIn(ivy)).toBe(false);
    expect((await api.get('/users/ivy', { basic: adminCredentials })).status).toBe(404);
    const members = await api.get<Member[]>('/projects/ivy-project/members', {
      basic: adminCredentials,
    });
    expect(members.body.map((m) => m.name)).not.toContain('ivy');
    expect((await api.delete('/users/ivy', { basic: adminCredentials })).status).toBe(404);
  });

  it('keeps administrators from deleting themselves, and others from deleting anyone', async () => {
    const jo = await admin.createUser('jo');

    expect((await api.delete('/users/admin', { basic: adminCredentials })).status).toBe(400);
    expect((await api.delete('/users/jo', { basic: jo })).status).toBe(403);
  });
});
