import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { ContainersStore } from '../support/clients.js';
import { RegistryApi } from '../support/registry-api.js';
import { useTestServer, tempDir } from '../support/server.js';
import { run, tool, type RunResult } from '../support/tools.js';

/*
 * Each real client signs in with its own login command, once as a user and once as a robot,
 * then pulls and pushes where the permission matrix allows and is refused where it does not:
 *
 *   project  user (dana)   robot (robot$ci)      what the clients try
 *   dev      developer     pull, push            push a copy: allowed
 *   prod     guest         pull                  pull: allowed; push: 403 DENIED
 *   vault    none          none                  pull: refused
 */

const server = useTestServer({ auth: { enabled: true } });
let admin: RegistryApi;
let user: Credentials;
let robot: Credentials;
const scratch = tempDir('berth-auth-clients-');

beforeAll(async () => {
  const api = new AdminApi(server());
  for (const project of ['dev', 'prod', 'vault']) await api.createProject(project);
  user = await api.createUser('dana');
  await api.addMember('dev', 'user', 'dana', 'developer');
  await api.addMember('prod', 'user', 'dana', 'guest');
  robot = await api.createRobot('ci', [
    { project: 'dev', actions: ['pull', 'push'] },
    { project: 'prod', actions: ['pull'] },
  ]);

  const root = new RegistryAs(server(), adminCredentials);
  await root.pushed('prod/base', 'v1');
  await root.pushed('vault/base', 'v1');
  admin = new RegistryApi(server().url, adminCredentials);
});

/** One client's way of signing in and moving an image from one reference to another. */
interface Client {
  name: string;
  login(who: Credentials): Promise<RunResult>;
  /** Pulls `from` (host/repo:tag); for clients that copy, pulls it into a local layout. */
  pull(from: string): Promise<RunResult>;
  copy(from: string, to: string): Promise<RunResult>;
}

/** Each client gets a config directory of its own per identity, so logins never mix. */
function clients(identity: string): Client[] {
  const home = path.join(scratch, identity);
  mkdirSync(home, { recursive: true });
  const host = () => server().host;
  const dockerEnv = { DOCKER_CONFIG: path.join(home, 'docker') };
  const authFile = path.join(home, 'containers-auth.json');
  const regctlEnv = { REGCTL_CONFIG: path.join(home, 'regctl.json') };
  const store = new ContainersStore();
  afterAll(() => store.remove());
  let layouts = 0;
  const layout = () => `oci:${path.join(home, `layout-${(layouts += 1)}`)}:x`;

  const skopeo = (...args: string[]) => run('skopeo', args, { allowFailure: true });
  const crane = (...args: string[]) =>
    run(tool('crane'), args, { env: dockerEnv, allowFailure: true });
  const oras = (...args: string[]) =>
    run(tool('oras'), args, { env: dockerEnv, allowFailure: true, cwd: home });
  const regctl = (...args: string[]) =>
    run(tool('regctl'), args, { env: regctlEnv, allowFailure: true });

  return [
    {
      name: 'skopeo',
      login: (who) =>
        run(
          'skopeo',
          [
            'login',
            '--tls-verify=false',
            '--authfile',
            authFile,
            '-u',
            who.username,
            '--password-stdin',
            host(),
          ],
          { input: who.password, allowFailure: true },
        ),
      pull: (from) =>
        skopeo(
          'copy',
          '--src-tls-verify=false',
          '--authfile',
          authFile,
          `docker://${from}`,
          layout(),
        ),
      copy: (from, to) =>
        skopeo(
          'copy',
          '--src-tls-verify=false',
          '--dest-tls-verify=false',
          '--authfile',
          authFile,
          `docker://${from}`,
          `docker://${to}`,
        ),
    },
    {
      name: 'podman',
      login: (who) =>
        store
          .podman(
            'login',
            '--tls-verify=false',
            '--authfile',
            authFile,
            '-u',
            who.username,
            '-p',
            who.password,
            host(),
          )
          .catch(failed),
      pull: (from) =>
        store.podman('pull', '--tls-verify=false', '--authfile', authFile, from).catch(failed),
      async copy(from, to) {
        const pulled = await store
          .podman('pull', '--tls-verify=false', '--authfile', authFile, from)
          .catch(failed);
        if (pulled.code !== 0) return pulled;
        await store.podman('tag', from, to);
        return store.podman('push', '--tls-verify=false', '--authfile', authFile, to).catch(failed);
      },
    },
    {
      name: 'crane',
      // `crane auth login` only stores the credentials; listing the catalog checks them.
      async login(who) {
        const stored = await crane('auth', 'login', host(), '-u', who.username, '-p', who.password);
        return stored.code === 0 ? crane('catalog', host()) : stored;
      },
      pull: (from) => crane('manifest', from),
      copy: (from, to) => crane('copy', from, to),
    },
    {
      name: 'oras',
      login: (who) =>
        run(
          tool('oras'),
          ['login', '--plain-http', '-u', who.username, '--password-stdin', host()],
          {
            env: dockerEnv,
            input: who.password,
            allowFailure: true,
          },
        ),
      pull: (from) => oras('manifest', 'fetch', '--plain-http', from),
      copy: (from, to) => oras('copy', '--from-plain-http', '--to-plain-http', from, to),
    },
    {
      name: 'regctl',
      async login(who) {
        await regctl('registry', 'set', '--tls', 'disabled', host());
        return regctl('registry', 'login', host(), '-u', who.username, '-p', who.password);
      },
      pull: (from) => regctl('manifest', 'get', from),
      copy: (from, to) => regctl('image', 'copy', from, to),
    },
  ];
}

/** podman helpers throw on failure; the tests want the outcome instead. */
function failed(err: unknown): RunResult {
  return { code: 1, stdout: '', stderr: String(err) };
}

function expectRefused(result: RunResult, pattern: RegExp): void {
  const output = result.stdout + result.stderr;
  expect(result.code, output).not.toBe(0);
  expect(output).toMatch(pattern);
}

const denied = /denied|403|forbidden/i;
const refused = /denied|403|forbidden|unauthori[sz]ed|401|not found|404/i;

describe.each([
  ['a user', 'user', () => user],
  ['a robot', 'robot', () => robot],
] as const)('signed in as %s', (_, identity, who) => {
  describe.each(clients(identity))('$name', (client) => {
    const ref = (repo: string, tag: string) => `${server().host}/${repo}:${tag}`;
    const target = `dev/${client.name}-${identity}`;

    it('refuses a wrong password at login', async () => {
      const result = await client.login({ ...who(), password: 'not-the-password' });

      expectRefused(result, /unauthori[sz]ed|401|invalid|denied/i);
    });

    it('logs in', async () => {
      const result = await client.login(who());

      expect(result.code, result.stdout + result.stderr).toBe(0);
    });

    it('pulls from a project where it may pull', async () => {
      const result = await client.pull(ref('prod/base', 'v1'));

      expect(result.code, result.stderr).toBe(0);
    });

    it('pushes into a project where it may push', async () => {
      const result = await client.copy(ref('prod/base', 'v1'), ref(target, 'v1'));

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(await admin.tags(target)).toEqual(['v1']);
    });

    it('is refused (403 DENIED) a push where it may only pull', async () => {
      const repo = `prod/${client.name}-${identity}`;
      const result = await client.copy(ref('prod/base', 'v1'), ref(repo, 'v1'));

      expectRefused(result, denied);
      expect(await admin.tags(repo)).toBeUndefined();
    });

    it('is refused a pull from a project it has no part in', async () => {
      const result = await client.pull(ref('vault/base', 'v1'));

      expectRefused(result, refused);
    });
  });
});
