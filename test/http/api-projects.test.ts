// /api/v1 projects: creating one (its creator becomes its admin), listing what a caller may see
// with search and pages, changing whether it is public and its labels, and deleting it with its
// repositories, members and robots.
import { beforeAll, describe, expect, it } from 'vitest';
import { projectActions, rolePermissions } from '../../src/auth/index.js';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import {
  catalog,
  type Listing,
  type Member,
  type Project,
  type ProjectDetail,
  type Quota,
} from '../support/api-fixtures.js';
import type { ApiClient } from '../support/api-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });

let admin: AdminApi;
let api: ApiClient;
let dana: Credentials;
let sam: Credentials;

beforeAll(async () => {
  admin = new AdminApi(server());
  api = admin.api;
  dana = await admin.createUser('dana');
  sam = await admin.createUser('sam');
});

describe('creating a project', () => {
  it('answers 201 with the project and makes its creator the project admin', async () => {
    const body = { name: 'dana-app', labels: { team: 'apps' } };

    const res = await api.post<Project>('/projects', { basic: dana, body });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'dana-app',
      public: false,
      labels: { team: 'apps' },
      quotaBytes: null,
      createdBy: 'dana',
    });
    expect(res.body.createdAt).toBe(res.body.updatedAt);
    const members = await api.get<Member[]>('/projects/dana-app/members', { basic: dana });
    expect(members.body.map((m) => [m.kind, m.name, m.role])).toEqual([
      ['user', 'dana', 'project-admin'],
    ]);
  });

  it('refuses a name that is taken with 409', async () => {
    await admin.createProject('taken');

    const res = await api.post('/projects', { basic: dana, body: { name: 'taken' } });

    expect(res.status).toBe(409);
  });

  it.each(['Upper', 'a..b', '-lead', 'trail-', 'has/slash', 'x'.repeat(129), ''])(
    'refuses the name "%s" with 400',
    async (name) => {
      const res = await api.post('/projects', { basic: dana, body: { name }, invalid: true });

      expect(res.status).toBe(400);
    },
  );

  it('lets only system administrators give a new project a quota', async () => {
    const body = { name: 'dana-big', quotaBytes: 1 << 20 };

    expect((await api.post('/projects', { basic: dana, body })).status).toBe(403);
    const res = await api.post<Project>('/projects', { basic: adminCredentials, body });
    expect(res.body.quotaBytes).toBe(1 << 20);
  });

  it('asks anonymous callers to sign in', async () => {
    expect((await api.post('/projects', { body: { name: 'anon' } })).status).toBe(401);
  });
});

describe('listing projects', () => {
  const names = ['list-a', 'list-b', 'list-c', 'list-d', 'list_e'];

  beforeAll(async () => {
    for (const name of names) await admin.createProject(name, { public: name === 'list-c' });
    await admin.addMember('list-d', 'user', 'sam', 'guest');
  });

  async function list(query: string, as?: Credentials): Promise<Listing<Project>> {
    const res = await api.get<Listing<Project>>(`/projects?${query}`, as && { basic: as });
    expect(res.status).toBe(200);

    return res.body;
  }

  it('pages through matching projects in name order, with their total', async () => {
    const pages = [];
    for (const page of [1, 2, 3])
      pages.push(await list(`search=list&pageSize=2&page=${page}`, adminCredentials));

    expect(pages.map((p) => p.items.map((i) => i.name))).toEqual([
      ['list-a', 'list-b'],
      ['list-c', 'list-d'],
      ['list_e'],
    ]);
    expect(pages.map((p) => [p.total, p.page, p.pageSize])).toEqual([
      [5, 1, 2],
      [5, 2, 2],
      [5, 3, 2],
    ]);
  });

  it('answers an empty page past the end', async () => {
    const page = await list('search=list&page=40', adminCredentials);

    expect(page.items).toEqual([]);
    expect(page.total).toBe(5);
  });

  it('searches by substring, taking "_" and "%" literally', async () => {
    expect((await list('search=t-c', adminCredentials)).items.map((p) => p.name)).toEqual([
      'list-c',
    ]);
    expect((await list('search=_', adminCredentials)).items.map((p) => p.name)).toEqual(['list_e']);
    expect((await list('search=%25', adminCredentials)).total).toBe(0);
  });

  it('shows a user the public projects and those they are a member of', async () => {
    const seen = await list('search=list', sam);

    expect(seen.items.map((p) => p.name)).toEqual(['list-c', 'list-d']);
    expect(seen.total).toBe(2);
  });

  it('shows anonymous callers the public projects only', async () => {
    expect((await list('search=list')).items.map((p) => p.name)).toEqual(['list-c']);
  });

  it('refuses a page size over 100 with 400', async () => {
    const res = await api.get('/projects?pageSize=101', { basic: dana, invalid: true });

    expect(res.status).toBe(400);
  });
});

describe('reading a project', () => {
  beforeAll(async () => {
    await admin.createProject('seen');
    await admin.addMember('seen', 'user', 'dana', 'developer');
  });

  async function permissionsOf(who: Credentials): Promise<string[]> {
    const res = await api.get<ProjectDetail>('/projects/seen', { basic: who });
    expect(res.status).toBe(200);

    return res.body.permissions;
  }

  it('says what the caller may do there, by the permission matrix', async () => {
    const developer = projectActions.filter((a) => rolePermissions.developer.has(a));
    const robot = await admin.createRobot('seer', [
      { project: 'seen', actions: ['read-project', 'pull'] },
    ]);

    expect(await permissionsOf(adminCredentials)).toEqual([...projectActions]);
    expect(await permissionsOf(dana)).toEqual(developer);
    expect(await permissionsOf(robot)).toEqual(['read-project', 'pull']);
  });
});

describe('updating a project', () => {
  beforeAll(async () => {
    await admin.createProject('settings', { labels: { env: 'dev' } });
    await admin.addMember('settings', 'user', 'dana', 'developer');
    await new RegistryAs(server(), adminCredentials).pushed('settings/app', 'v1');
  });

  it('changes what the request names and keeps the rest', async () => {
    const before = (await api.get<Project>('/projects/settings', { basic: adminCredentials })).body;

    const pub = await api.patch<Project>('/projects/settings', {
      basic: adminCredentials,
      body: { public: true },
    });
    const relabelled = await api.patch<Project>('/projects/settings', {
      basic: adminCredentials,
      body: { labels: { env: 'prod', tier: 'gold' } },
    });

    expect(pub.body).toMatchObject({ public: true, labels: { env: 'dev' } });
    expect(relabelled.body).toMatchObject({ public: true, labels: { env: 'prod', tier: 'gold' } });
    expect(Date.parse(relabelled.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(before.updatedAt),
    );
    expect(relabelled.body.createdAt).toBe(before.createdAt);
  });

  it('lets anonymous clients pull once the project is public, and not after', async () => {
    const anonymous = new RegistryAs(server());
    await api.patch('/projects/settings', { basic: adminCredentials, body: { public: true } });
    expect((await anonymous.pull('settings/app', 'v1')).status).toBe(200);

    await api.patch('/projects/settings', { basic: adminCredentials, body: { public: false } });

    expect((await anonymous.pull('settings/app', 'v1')).status).toBe(401);
  });

  it.each([
    ['an invalid label key', { labels: { '-bad': 'x' } }],
    ['a label value that is not a string', { labels: { env: 1 } }],
    ['a field that is not a setting', { quotaBytes: 5 }],
    ['a name change', { name: 'renamed' }],
  ])('refuses %s with 400', async (_case, body) => {
    const res = await api.patch('/projects/settings', {
      basic: adminCredentials,
      body,
      invalid: true,
    });

    expect(res.status).toBe(400);
  });

  it('refuses a developer with 403 and hides the project from others with 404', async () => {
    const body = { public: true };

    expect((await api.patch('/projects/settings', { basic: dana, body })).status).toBe(403);
    expect((await api.patch('/projects/settings', { basic: sam, body })).status).toBe(404);
  });
});

describe('deleting a project', () => {
  it('removes it with its repositories, members and robots', async () => {
    await admin.createProject('doomed');
    await admin.addMember('doomed', 'user', 'dana', 'maintainer');
    await admin.createRobot('ci', [{ project: 'doomed', actions: ['pull'] }], {
      project: 'doomed',
    });
    const root = new RegistryAs(server(), adminCredentials);
    await root.pushed('doomed/app', 'v1');
    await root.pushed('doomed/team/tool', 'v1');

    const res = await api.delete('/projects/doomed', { basic: adminCredentials });

    expect(res.status).toBe(204);
    expect((await api.get('/projects/doomed', { basic: adminCredentials })).status).toBe(404);
    expect((await api.get('/robots/robot$doomed+ci', { basic: adminCredentials })).status).toBe(
      404,
    );
    expect((await catalog(server().url)).filter((name) => name.startsWith('doomed/'))).toEqual([]);
  });

  it('leaves nothing behind for a project created again under the same name', async () => {
    await admin.createProject('doomed');

    const root = new RegistryAs(server(), adminCredentials);
    const members = await api.get<Member[]>('/projects/doomed/members', {
      basic: adminCredentials,
    });
    const quota = await api.get<Quota>('/projects/doomed/quota', { basic: adminCredentials });

    expect((await root.pull('doomed/app', 'v1')).status).toBe(404);
    expect(members.body.map((m) => m.name)).toEqual(['admin']);
    expect(quota.body.usedBytes).toBe(0);
  });

  it('refuses a maintainer with 403', async () => {
    await admin.createProject('kept');
    await admin.addMember('kept', 'user', 'dana', 'maintainer');

    expect((await api.delete('/projects/kept', { basic: dana })).status).toBe(403);
    expect((await api.get('/projects/kept', { basic: dana })).status).toBe(200);
  });

  it('answers 404 for a project that does not exist', async () => {
    expect((await api.delete('/projects/never', { basic: adminCredentials })).status).toBe(404);
  });
});

describe('paths the router refuses', () => {
  it('answers broken percent-encoding with 400 in the error shape', async () => {
    const res = await api.get('/projects/%E0%A4%A', { basic: adminCredentials, invalid: true });

    expect(res.status).toBe(400);
  });

  it('answers a path parameter past 4096 bytes with 414 in the error shape', async () => {
    const res = await api.delete(`/projects/${'a'.repeat(5000)}`, {
      basic: adminCredentials,
      invalid: true,
    });

    expect(res.status).toBe(414);
  });
});
