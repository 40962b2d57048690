// /api/v1 robot accounts: system robots with grants in any project and project robots kept
// inside theirs, the secret shown once, rotation, disabling, expiry, who may manage them, and
// their sign-ins in the audit log.
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { auditEvents, type Robot, type RobotCreated } from '../support/api-fixtures.js';
import type { ApiClient } from '../support/api-client.js';
import { sleep } from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });

let admin: AdminApi;
let api: ApiClient;
let owner: Credentials;
let keeper: Credentials;
let dev: Credentials;

beforeAll(async () => {
  admin = new AdminApi(server());
  api = admin.api;
  owner = await admin.createUser('owner');
  keeper = await admin.createUser('keeper');
  dev = await admin.createUser('dev');

  for (const project of ['apps', 'tools']) {
    await admin.createProject(project);
    await new RegistryAs(server(), adminCredentials).pushed(`${project}/base`, 'v1');
  }
  await admin.addMember('apps', 'user', 'owner', 'project-admin');
  await admin.addMember('apps', 'user', 'keeper', 'maintainer');
  await admin.addMember('apps', 'user', 'dev', 'developer');
});

function create(path: string, body: Record<string, unknown>, as: Credentials = adminCredentials) {
  return api.post<RobotCreated>(path, { basic: as, body });
}

async function created(path: string, body: Record<string, unknown>, as?: Credentials) {
  const res = await create(path, body, as);
  expect(res.status, JSON.stringify(res.body)).toBe(201);

  return {
    robot: res.body.robot,
    login: { username: res.body.robot.name, password: res.body.secret },
  };
}

/** Whether a robot's login pulls `repository:v1`. */
async function pulls(login: Credentials, repository: string): Promise<boolean> {
  return (await new RegistryAs(server(), login).pull(repository, 'v1')).status === 200;
}

describe('system robots', () => {
  it('are named robot$NAME, belong to no project and get a secret once', async () => {
    const { robot, login } = await created('/robots', {
      name: 'mirror',
      description: 'pulls everything',
      grants: [{ project: '*', actions: ['pull'] }],
    });

    expect(robot).toMatchObject({ name: 'robot$mirror', project: null, disabled: false });
    expect(login.password.length).toBeGreaterThanOrEqual(32);
    const read = await api.get<Robot>('/robots/robot$mirror', { basic: adminCredentials });
    const listed = await api.get<Robot[]>('/robots', { basic: adminCredentials });
    expect(read.body).toEqual(robot);
    expect(JSON.stringify([read.body, listed.body])).not.toContain(login.password);
  });

  it('act in every project a "*" grant names', async () => {
    const { login } = await created('/robots', {
      name: 'everywhere',
      grants: [{ project: '*', actions: ['pull'] }],
    });

    expect(await pulls(login, 'apps/base')).toBe(true);
    expect(await pulls(login, 'tools/base')).toBe(true);
  });

  it('expire after auth.robotDefaultExpiry (30 days) unless told otherwise', async () => {
    const before = Date.now();
    const { robot } = await created('/robots', {
      name: 'default-expiry',
      grants: [{ project: 'apps', actions: ['pull'] }],
    });
    const never = await created('/robots', {
      name: 'no-expiry',
      grants: [{ project: 'apps', actions: ['pull'] }],
      expiresAt: null,
    });

    const expected = before + 30 * 24 * 3600_000;
    expect(Date.parse(robot.expiresAt!)).toBeGreaterThanOrEqual(expected);
    expect(Date.parse(robot.expiresAt!)).toBeLessThan(expected + 60_000);
    expect(never.robot.expiresAt).toBeNull();
  });

  it('are managed by system administrators only', async () => {
    const body = { name: 'sneaky', grants: [{ project: 'apps', actions: ['pull'] }] };

    expect((await create('/robots', body, owner)).status).toBe(403);
    expect((await api.get('/robots', { basic: owner })).status).toBe(403);
  });
});

describe('project robots', () => {
  it('are named robot$PROJECT+NAME and act only inside their project', async () => {
    const { robot, login } = await created(
      '/projects/apps/robots',
      { name: 'deploy', grants: [{ project: 'apps', actions: ['pull', 'push'] }] },
      owner,
    );

    expect(robot).toMatchObject({ name: 'robot$apps+deploy', project: 'apps', createdBy: 'owner' });
    expect((await new RegistryAs(server(), login).pushImage('apps/web', 'v1')).status).toBe(201);
    expect(await pulls(login, 'tools/base')).toBe(false);
    const listed = await api.get<Robot[]>('/projects/apps/robots', { basic: keeper });
    expect(listed.body.map((r) => r.name)).toContain('robot$apps+deploy');
  });

  it('take the project in the path when a grant names none', async () => {
    const { robot, login } = await created('/projects/apps/robots', {
      name: 'implicit',
      grants: [{ actions: ['pull'] }],
    });

    expect(robot.grants).toEqual([{ project: 'apps', actions: ['pull'] }]);
    expect(await pulls(login, 'apps/web')).toBe(true);
  });

  it('are reachable by their full name at the longest names allowed', async () => {
    const project = 'p'.repeat(128);
    await admin.createProject(project);
    const { login } = await created(`/projects/${project}/robots`, {
      name: 'r'.repeat(64),
      grants: [{ project, actions: ['pull'] }],
    });

    const read = await api.get<Robot>(`/robots/${login.username}`, { basic: adminCredentials });
    const rotated = await api.post(`/robots/${login.username}/secret`, { basic: adminCredentials });

    expect(login.username).toHaveLength('robot$'.length + 128 + 1 + 64);
    expect([read.status, rotated.status]).toEqual([200, 200]);
    expect(read.body.name).toBe(login.username);
  });

  it('cannot be granted anything in another project', async () => {
    const res = await create('/projects/apps/robots', {
      name: 'escape',
      grants: [{ project: 'tools', actions: ['pull'] }],
    });

    expect(res.status).toBe(400);
  });

  it('are created by project admins, read by maintainers, hidden from developers', async () => {
    const body = { name: 'by-keeper', grants: [{ project: 'apps', actions: ['pull'] }] };

    expect((await create('/projects/apps/robots', body, keeper)).status).toBe(403);
    expect((await api.get('/projects/apps/robots', { basic: keeper })).status).toBe(200);
    expect((await api.get('/projects/apps/robots', { basic: dev })).status).toBe(403);
  });

  it('cannot manage robots themselves, whatever their grants', async () => {
    const { login } = await created('/projects/apps/robots', {
      name: 'ambitious',
      grants: [{ project: 'apps', actions: ['pull', 'push', 'delete-repository'] }],
    });
    const body = { name: 'offspring', grants: [{ project: 'apps', actions: ['pull'] }] };

    expect((await create('/projects/apps/robots', body, login)).status).toBe(403);
    expect((await api.post(`/robots/${login.username}/secret`, { basic: login })).status).toBe(403);
  });
});

describe('names and grants', () => {
  it('refuses a robot name that is taken with 409', async () => {
    const body = { name: 'twin', grants: [{ project: 'apps', actions: ['pull'] }] };
    await created('/projects/apps/robots', body);

    expect((await create('/projects/apps/robots', body)).status).toBe(409);
  });

  it.each([
    ['an invalid name', { name: 'Bad Name', grants: [{ project: 'apps', actions: ['pull'] }] }],
    ['no grants', { name: 'empty', grants: [] }],
    [
      'an action robots cannot hold',
      { name: 'boss', grants: [{ project: 'apps', actions: ['manage-members'] }] },
    ],
    ['a grant without actions', { name: 'idle', grants: [{ project: 'apps', actions: [] }] }],
    [
      'a pattern of 17 segments',
      {
        name: 'deep',
        grants: [
          { project: 'apps', repositories: [Array(17).fill('a').join('/')], actions: ['pull'] },
        ],
      },
    ],
    [
      '33 repository patterns in all',
      {
        name: 'many',
        grants: [20, 13].map((count, g) => ({
          project: 'apps',
          repositories: Array.from({ length: count }, (_, i) => `g${g}-${i}/*`),
          actions: ['pull'],
        })),
      },
    ],
    ...['../**', '***', 'web//x', '/web', 'web/', 'Web', './web', 'web/..', '-', 'shop/_'].map(
      (pattern) => [
        `the repository pattern "${pattern}"`,
        { name: 'odd', grants: [{ project: 'apps', repositories: [pattern], actions: ['pull'] }] },
      ],
    ),
  ] as [string, Record<string, unknown>][])('refuses %s with 400', async (_case, body) => {
    const res = await api.post('/projects/apps/robots', {
      basic: adminCredentials,
      body,
      invalid: true,
    });

    expect(res.status).toBe(400);
  });

  it('narrows a grant to repository patterns', async () => {
    const { login } = await created('/projects/apps/robots', {
      name: 'narrow',
      grants: [{ project: 'apps', repositories: ['web*'], actions: ['pull', 'push'] }],
    });

    expect((await new RegistryAs(server(), login).pushImage('apps/webshop', 'v1')).status).toBe(
      201,
    );
    expect(await pulls(login, 'apps/base')).toBe(false);
  });

  it('accepts patterns with "*" within segments and "**" across them', async () => {
    const repositories = ['**', 'web/*', '*-svc/**', 'team.a/x_*/b'];

    const res = await create('/projects/apps/robots', {
      name: 'globs',
      grants: [{ project: 'apps', repositories, actions: ['pull'] }],
    });

    expect(res.status).toBe(201);
  });
});

describe('secret rotation', () => {
  it('replaces the secret: the old one stops working at once', async () => {
    const { login } = await created('/projects/apps/robots', {
      name: 'rotating',
      grants: [{ project: 'apps', actions: ['pull'] }],
    });
    expect(await pulls(login, 'apps/base')).toBe(true);

    const res = await api.post<{ secret: string }>(`/robots/${login.username}/secret`, {
      basic: owner,
    });

    expect(res.status).toBe(200);
    expect(res.body.secret).not.toBe(login.password);
    expect(await pulls(login, 'apps/base')).toBe(false);
    expect(await pulls({ ...login, password: res.body.secret }, 'apps/base')).toBe(true);
  });
});

describe('disabling, expiry and deletion', () => {
  it('disabling refuses the robot’s logins and its unexpired tokens, until enabled', async () => {
    const { login } = await created('/robots', {
      name: 'switch',
      grants: [{ project: 'apps', actions: ['pull', 'read-project'] }],
    });
    const token = await api.login(login.username, login.password);
    expect((await api.get('/projects/apps', { token })).status).toBe(200);

    const res = await api.patch<Robot>(`/robots/${login.username}`, {
      basic: adminCredentials,
      body: { disabled: true },
    });

    expect(res.body.disabled).toBe(true);
    expect(await pulls(login, 'apps/base')).toBe(false);
    expect((await api.get('/projects/apps', { token })).status).toBe(401);
    await api.patch(`/robots/${login.username}`, {
      basic: adminCredentials,
      body: { disabled: false },
    });
    expect(await pulls(login, 'apps/base')).toBe(true);
  });

  it('refuses an expired robot from the moment it expires, remembered checks included', async () => {
    const expiresAt = new Date(Date.now() + 2000).toISOString();
    const { login } = await created('/robots', {
      name: 'short-lived',
      grants: [{ project: 'apps', actions: ['pull'] }],
      expiresAt,
    });
    expect(await pulls(login, 'apps/base')).toBe(true);

    await sleep(Date.parse(expiresAt) - Date.now() + 50);

    expect(await pulls(login, 'apps/base')).toBe(false);
  });

  it('refuses to create a robot that has expired already', async () => {
    const res = await api.post('/robots', {
      basic: adminCredentials,
      body: {
        name: 'born-expired',
        grants: [{ project: 'apps', actions: ['pull'] }],
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      },
    });

    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/expiresAt is in the past/);
    expect((await api.get('/robots/robot$born-expired', { basic: adminCredentials })).status).toBe(
      404,
    );
  });

  it('refuses an expiry whose offset puts it in the year 10000 UTC, and keeps listing', async () => {
    const farAhead = { expiresAt: '9999-12-31T23:30:00-01:00' };
    await created('/robots', { name: 'far', grants: [{ project: 'apps', actions: ['pull'] }] });

    const create = await api.post('/robots', {
      basic: adminCredentials,
      body: { name: 'farther', grants: [{ project: 'apps', actions: ['pull'] }], ...farAhead },
      invalid: true,
    });
    const update = await api.patch('/robots/robot$far', {
      basic: adminCredentials,
      body: farAhead,
      invalid: true,
    });

    expect(create.status).toBe(400);
    expect(update.status).toBe(400);
    expect((await api.get('/robots', { basic: adminCredentials })).status).toBe(200);
  });

  it('lets an administrator end a robot with a past expiry, then extend it', async () => {
    const { login } = await created('/robots', {
      name: 'lapsed',
      grants: [{ project: 'apps', actions: ['pull'] }],
    });
    await api.patch(`/robots/${login.username}`, {
      basic: adminCredentials,
      body: { expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(await pulls(login, 'apps/base')).toBe(false);

    const later = new Date(Date.now() + 3600_000).toISOString();
    await api.patch(`/robots/${login.username}`, {
      basic: adminCredentials,
      body: { expiresAt: later },
    });

    expect(await pulls(login, 'apps/base')).toBe(true);
  });

  it('deleting answers 204, ends the robot’s logins and 404 afterwards', async () => {
    const { login } = await created('/projects/apps/robots', {
      name: 'temporary',
      grants: [{ project: 'apps', actions: ['pull'] }],
    });

    expect((await api.delete(`/robots/${login.username}`, { basic: owner })).status).toBe(204);
    expect(await pulls(login, 'apps/base')).toBe(false);
    expect((await api.get(`/robots/${login.username}`, { basic: owner })).status).toBe(404);
  });
});

describe('the audit log', () => {
  it('records robot sign-ins that succeed and fail, and changes to robots', async () => {
    const { login } = await created('/robots', {
      name: 'audited',
      grants: [{ project: 'apps', actions: ['pull'] }],
    });
    await pulls(login, 'apps/base');
    await pulls({ ...login, password: 'not-the-secret' }, 'apps/base');
    await api.patch(`/robots/${login.username}`, {
      basic: adminCredentials,
      body: { description: 'audited robot' },
    });

    const logins = await auditEvents(api, { actor: 'robot$audited', action: 'login' });
    const changes = await auditEvents(api, { action: 'robot.update' });

    expect(logins.map((e) => [e.actorKind, e.result, e.remoteAddr])).toEqual([
      ['robot', 'failure', '127.0.0.1'],
      ['robot', 'success', '127.0.0.1'],
    ]);
    expect(changes.find((e) => e.resource === 'robot$audited')).toMatchObject({
      actor: 'admin',
      detail: { description: 'audited robot' },
    });
  });
});
