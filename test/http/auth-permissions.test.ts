// Every cell of the permission matrix in docs/access-control.md, checked through the running
// server: each role (and a non-member, a system administrator) tries each action for real.
// The expected table is written out here on purpose instead of read from the code, so that a
// change to src/auth/permissions.ts that the docs do not follow fails this test.
import { beforeAll, describe, expect, it } from 'vitest';
import { userPrincipal } from '../../src/auth/index.js';
import type { ProjectAction } from '../../src/auth/index.js';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import { finishedScan } from '../support/scans.js';
import { useTestServer } from '../support/server.js';

type Role = 'limited-guest' | 'guest' | 'developer' | 'maintainer' | 'project-admin';
type Who = Role | 'non-member' | 'system-admin';

const roles: Role[] = ['limited-guest', 'guest', 'developer', 'maintainer', 'project-admin'];
const everyone: Who[] = [...roles, 'non-member', 'system-admin'];

/** The matrix: the least role that may do each action ("admin": system administrators only). */
const leastRole: Record<string, Role | 'admin'> = {
  'read-project': 'limited-guest',
  pull: 'limited-guest',
  'read-sbom': 'limited-guest',
  'read-quota': 'limited-guest',
  'read-members': 'guest',
  'read-audit': 'guest',
  'read-policies': 'guest',
  push: 'developer',
  'delete-tag': 'developer',
  'delete-artifact': 'maintainer',
  'delete-repository': 'maintainer',
  scan: 'maintainer',
  'read-robots': 'maintainer',
  'manage-policies': 'maintainer',
  'manage-robots': 'project-admin',
  'manage-members': 'project-admin',
  'update-project': 'project-admin',
  'delete-project': 'project-admin',
  'manage-quota': 'admin',
};

function expected(who: Who, action: string): boolean {
  const least = leastRole[action]!;
  if (who === 'system-admin') return true;
  if (who === 'non-member' || least === 'admin') return false;

  return roles.indexOf(who) >= roles.indexOf(least);
}

const server = useTestServer({ auth: { enabled: true } });
const logins = new Map<Who, Credentials>();
let admin: AdminApi;

function as(who: Who): Credentials {
  return logins.get(who)!;
}

/** Sets up project `name` with one member per role; returns nothing, members are in `logins`. */
async function projectWithMembers(name: string): Promise<void> {
  await admin.createProject(name);
  for (const role of roles) await admin.addMember(name, 'user', `u-${role}`, role);
}

/** Each action the server offers today, tried by `who`; resolves to the HTTP status. */
const attempts: Record<string, (who: Who, project: string) => Promise<number>> = {
  async 'read-project'(who, project) {
    return (await api().get(`/projects/${project}`, { basic: as(who) })).status;
  },
  async pull(who, project) {
    return (await registry(who).pull(`${project}/app`, 'v1')).status;
  },
  async 'read-quota'(who, project) {
    return (await api().get(`/projects/${project}/quota`, { basic: as(who) })).status;
  },
  async 'read-members'(who, project) {
    return (await api().get(`/projects/${project}/members`, { basic: as(who) })).status;
  },
  async 'read-audit'(who, project) {
    return (await api().get(`/projects/${project}/audit`, { basic: as(who) })).status;
  },
  async push(who, project) {
    return (await registry(who).pushImage(`${project}/app`, `pushed-by-${who}`)).status;
  },
  async 'delete-tag'(who, project) {
    await registry('system-admin').pushed(`${project}/app`, `tag-${who}`);
    return (await registry(who).deleteManifest(`${project}/app`, `tag-${who}`)).status;
  },
  async 'delete-artifact'(who, project) {
    const digest = await registry('system-admin').pushed(`${project}/app`, `artifact-${who}`);
    return (await registry(who).deleteManifest(`${project}/app`, digest)).status;
  },
  async scan(who, project) {
    const path = `/repositories/${project}%2Fapp/artifacts/v1/scan`;
    return (await api().post(path, { basic: as(who) })).status;
  },
  async 'read-sbom'(who, project) {
    const path = `/repositories/${project}%2Fapp/artifacts/v1/packages`;
    return (await api().get(path, { basic: as(who) })).status;
  },
  async 'delete-repository'(who, project) {
    await registry('system-admin').pushed(`${project}/doomed-${who}`, 'v1');
    const path = `/repositories/${project}%2Fdoomed-${who}`;
    return (await api().delete(path, { basic: as(who) })).status;
  },
  async 'read-robots'(who, project) {
    return (await api().get(`/projects/${project}/robots`, { basic: as(who) })).status;
  },
  async 'manage-robots'(who, project) {
    const body = { name: `bot-${who}`, grants: [{ project, actions: ['pull'] }] };
    return (await api().post(`/projects/${project}/robots`, { basic: as(who), body })).status;
  },
  async 'manage-members'(who, project) {
    const path = `/projects/${project}/members/group/team-${who}`;
    return (await api().put(path, { basic: as(who), body: { role: 'guest' } })).status;
  },
  async 'update-project'(who, project) {
    const body = { labels: { touched: who } };
    return (await api().patch(`/projects/${project}`, { basic: as(who), body })).status;
  },
  async 'manage-quota'(who, project) {
    const body = { limitBytes: 1 << 30 };
    return (await api().put(`/projects/${project}/quota`, { basic: as(who), body })).status;
  },
};

/** Actions whose endpoints come with later features, checked at the access-control layer. */
const notYetServed: ProjectAction[] = ['read-policies', 'manage-policies'];

function api(): ApiClient {
  return new ApiClient(server().url);
}

function registry(who: Who): RegistryAs {
  return new RegistryAs(server(), as(who));
}

/** What a refusal looks like: registry and API say 403; the API hides others' projects (404). */
function refusals(who: Who, action: string): number[] {
  const registryAction = ['pull', 'push', 'delete-tag', 'delete-artifact'].includes(action);
  if (registryAction) return [403];

  return who === 'non-member' ? [404] : [403];
}

beforeAll(async () => {
  admin = new AdminApi(server());
  logins.set('system-admin', adminCredentials);
  for (const role of roles) logins.set(role, await admin.createUser(`u-${role}`));
  logins.set('non-member', await admin.createUser('u-stranger'));

  await projectWithMembers('matrix');
  const digest = await registry('system-admin').pushed('matrix/app', 'v1');
  // read-sbom is tried on the image's packages, which exist once its scan on push is done.
  await finishedScan(server(), 'matrix/app', digest);
});

describe('the permission matrix, cell by cell', () => {
  it('names every project action', async () => {
    const { projectActions } = await import('../../src/auth/index.js');
    expect(Object.keys(leastRole).sort()).toEqual([...projectActions].sort());
    expect([...Object.keys(attempts), ...notYetServed, 'delete-project'].sort()).toEqual(
      [...projectActions].sort(),
    );
  });

  describe.each(Object.keys(attempts))('%s', (action) => {
    it.each(everyone)('as %s', async (who) => {
      const status = await attempts[action]!(who, 'matrix');

      if (expected(who, action)) expect(status, `${who} may ${action}`).toBeLessThan(300);
      else expect(refusals(who, action), `${who} may not ${action}`).toContain(status);
    });
  });

  describe('delete-project', () => {
    it.each(everyone)('as %s', async (who) => {
      const project = `doomed-${who}`;
      await projectWithMembers(project);

      const res = await api().delete(`/projects/${project}`, { basic: as(who) });

      if (expected(who, 'delete-project')) expect(res.status).toBe(204);
      else expect(refusals(who, 'delete-project')).toContain(res.status);
    });
  });

  describe.each(notYetServed)('%s (access-control layer)', (action) => {
    it.each(everyone)('as %s', async (who) => {
      const auth = server().berth.auth!;
      const user = await auth.accounts.getUser(
        {
          principal: {
            kind: 'user',
            id: 1,
            tokensValidAfter: 0,
            name: 'admin',
            admin: true,
            groups: [],
            source: 'local',
          },
        },
        as(who).username,
      );
      const principal = userPrincipal(user);

      expect(await auth.access.can(principal, action, 'matrix')).toBe(expected(who, action));
    });
  });
});
