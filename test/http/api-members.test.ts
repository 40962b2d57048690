// /api/v1 project members: giving users and groups a role, replacing and removing it, who may
// manage members, and that a change takes effect on the registry at once.
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import type { Member } from '../support/api-fixtures.js';
import type { ApiClient } from '../support/api-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });

let admin: AdminApi;
let api: ApiClient;
let owner: Credentials;
let mia: Credentials;
let leo: Credentials;

beforeAll(async () => {
  admin = new AdminApi(server());
  api = admin.api;
  owner = await admin.createUser('owner');
  mia = await admin.createUser('mia');
  leo = await admin.createUser('leo');

  await admin.createProject('team');
  await admin.addMember('team', 'user', 'owner', 'project-admin');
  await new RegistryAs(server(), adminCredentials).pushed('team/app', 'v1');
});

async function members(as: Credentials = owner): Promise<Member[]> {
  const res = await api.get<Member[]>('/projects/team/members', { basic: as });
  expect(res.status).toBe(200);

  return res.body;
}

function put(kind: string, name: string, role: string, as: Credentials = owner) {
  return api.put<Member>(`/projects/team/members/${kind}/${name}`, { basic: as, body: { role } });
}

describe('giving a role', () => {
  it('adds a user with the role and answers with the membership', async () => {
    const res = await put('user', 'mia', 'guest');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'user', name: 'mia', role: 'guest' });
    expect((await members()).map((m) => `${m.kind}:${m.name}:${m.role}`)).toContain(
      'user:mia:guest',
    );
  });

  it('replaces the previous role rather than adding a second one', async () => {
    await put('user', 'mia', 'guest');

    const res = await put('user', 'mia', 'developer');

    expect(res.body.role).toBe('developer');
    expect((await members()).filter((m) => m.name === 'mia').map((m) => m.role)).toEqual([
      'developer',
    ]);
  });

  it('takes effect on the registry at once', async () => {
    const registry = new RegistryAs(server(), leo);
    expect((await registry.pull('team/app', 'v1')).status).toBe(403);

    await put('user', 'leo', 'limited-guest');
    expect((await registry.pull('team/app', 'v1')).status).toBe(200);
    expect((await registry.pushImage('team/app', 'v2')).status).toBe(403);

    await put('user', 'leo', 'developer');
    expect((await registry.pushImage('team/app', 'v2')).status).toBe(201);
  });

  it('records a role for a group', async () => {
    const res = await put('group', 'platform-team', 'maintainer');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'group', name: 'platform-team', role: 'maintainer' });
  });

  it('answers 404 for a user that does not exist', async () => {
    expect((await put('user', 'ghost', 'guest')).status).toBe(404);
  });

  it.each([
    ['an unknown role', 'user', 'mia', { role: 'owner' }],
    ['an unknown member kind', 'team', 'mia', { role: 'guest' }],
    ['a body without a role', 'user', 'mia', {}],
  ])('refuses %s with 400', async (_case, kind, name, body) => {
    const res = await api.put(`/projects/team/members/${kind}/${name}`, {
      basic: owner,
      body,
      invalid: true,
    });

    expect(res.status).toBe(400);
  });
});

describe('who may manage members', () => {
  it('lets a guest read the members but not change them', async () => {
    await put('user', 'mia', 'guest');

    expect((await members(mia)).length).toBeGreaterThan(0);
    expect((await put('user', 'leo', 'guest', mia)).status).toBe(403);
  });

  it('hides the project from users without a role (404) and asks anonymous callers to sign in', async () => {
    const stranger = await admin.createUser('stranger');

    expect((await api.get('/projects/team/members', { basic: stranger })).status).toBe(404);
    expect((await put('user', 'stranger', 'guest', stranger)).status).toBe(404);
    expect((await api.get('/projects/team/members')).status).toBe(401);
  });

  it('lets no robot change members, whatever its grants', async () => {
    const robot = await admin.createRobot(
      'all-rights',
      [{ project: 'team', actions: ['read-project', 'pull', 'push'] }],
      { project: 'team' },
    );

    expect((await put('user', 'leo', 'project-admin', robot)).status).toBe(403);
  });
});

describe('removing a member', () => {
  it('answers 204, revokes the rights at once and 404 the second time', async () => {
    await put('user', 'leo', 'developer');

    const res = await api.delete('/projects/team/members/user/leo', { basic: owner });

    expect(res.status).toBe(204);
    expect((await members()).map((m) => m.name)).not.toContain('leo');
    expect((await new RegistryAs(server(), leo).pull('team/app', 'v1')).status).toBe(403);
    expect((await api.delete('/projects/team/members/user/leo', { basic: owner })).status).toBe(
      404,
    );
  });

  it('removes a group', async () => {
    await put('group', 'ops', 'guest');

    expect((await api.delete('/projects/team/members/group/ops', { basic: owner })).status).toBe(
      204,
    );
    expect((await members()).map((m) => m.name)).not.toContain('ops');
  });
});
