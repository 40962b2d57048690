import { CommanderError, type Command } from 'commander';
import { SignJWT } from 'jose';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/client/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { AdminApi, adminCredentials, basicHeader } from '../support/accounts.js';
import {
  repoRoot,
  startTestServer,
  tempDir,
  testAdminPassword,
  useTestServer,
} from '../support/server.js';
import { captureOutput, type Captured } from '../support/capture.js';

// `berth login`, `project`, `robot` and `user` against a running server: in-process through
// buildProgram() with stdout and stderr captured, and through the real bin/berth.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const server = useTestServer({ auth: { enabled: true } });
const variables = ['BERTH_SERVER', 'BERTH_PASSWORD', 'BERTH_NEW_PASSWORD', 'BERTH_CONFIG_DIR'];
let configDir: string;

beforeAll(() => {
  // Prompts would wait for a person when the test runner shares a terminal.
  Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
});

beforeEach(() => {
  for (const name of variables) delete process.env[name];
  configDir = tempDir('berth-cli-');
  process.env.BERTH_CONFIG_DIR = configDir;
});

afterEach(() => {
  for (const name of variables) delete process.env[name];
  process.exitCode = undefined;
});

/** Runs `berth ARGS…` in-process, with `env` set for the run, and returns what it printed. */
async function berth(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const output: Captured = { stdout: '', stderr: '' };
  Object.assign(process.env, env);

  let code: number | undefined;
  try {
    await captureOutput(
      () => throwInsteadOfExit(buildProgram()).parseAsync(args, { from: 'user' }),
      output,
    );
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
  }
  code ??= Number(process.exitCode ?? 0);
  process.exitCode = undefined;

  return { code, ...output };
}

function throwInsteadOfExit(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExit(sub);

  return command;
}

/** Runs a command that must succeed and returns its stdout. */
async function ok(args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await berth(args, env);
  expect(result.stderr, `berth ${args.join(' ')}`).toBe('');
  expect(result.code).toBe(0);

  return result.stdout;
}

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

/** Runs a command that must fail and returns its one-line message. */
async function fails(args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await berth(args, env);
  expect(result.code, `berth ${args.join(' ')}: ${result.stdout}`).toBe(1);
  expect(result.stderr).toMatch(/^berth: .+\n$/);

  return result.stderr.slice('berth: '.length, -1);
}

async function loginAs(username: string, password: string): Promise<void> {
  await ok(['login', server().url, '-u', username], { BERTH_PASSWORD: password });
}

function credentialsFile(): string {
  return path.join(configDir, 'credentials.json');
}

function storedLogins(): Record<string, { username: string; refreshToken: string }> {
  return JSON.parse(readFileSync(credentialsFile(), 'utf8')).servers;
}

/** Signs in at the token endpoint as a robot: the status, and the actions the token grants. */
async function robotToken(
  name: string,
  secret: string,
  scope: string,
): Promise<{ status: number; actions: string[] }> {
  const query = new URLSearchParams({ service: 'berth', scope });
  const response = await fetch(`${server().url}/auth/token?${query}`, {
    headers: { authorization: basicHeader({ username: name, password: secret }) },
  });
  const body = (await response.json()) as { token?: string };
  if (!body.token) return { status: response.status, actions: [] };

  const claims = JSON.parse(Buffer.from(body.token.split('.')[1]!, 'base64url').toString()) as {
    access: { actions: string[] }[];
  };
  return { status: response.status, actions: claims.access.flatMap((a) => a.actions).sort() };
}

function widestLine(text: string): number {
  return Math.max(...text.split('\n').map((line) => line.length));
}

/** The text of a table's column, found by its heading and the next one. */
function column(table: string, heading: string, next: string): string {
  const [header = '', ...lines] = table.split('\n');
  const start = header.indexOf(heading);
  const end = header.indexOf(next);

  return [header, ...lines].map((line) => line.slice(start, end)).join('\n');
}

describe('berth login, whoami, logout', () => {
  it('stores a refresh token, never the password, in a file only its owner can read', async () => {
    const out = await ok(['login', server().url, '-u', 'admin'], {
      BERTH_PASSWORD: testAdminPassword,
    });

    expect(out).toBe(`logged in to ${server().url} as admin\n`);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    const text = readFileSync(credentialsFile(), 'utf8');
    expect(text).not.toContain(testAdminPassword);
    expect(JSON.parse(text)).toEqual({
      current: server().url,
      servers: { [server().url]: { username: 'admin', refreshToken: expect.any(String) } },
    });
    expect(readdirSync(configDir)).toEqual(['credentials.json']);
  });

  it('shows who is logged in, as fields and as JSON', async () => {
    await loginAs('admin', testAdminPassword);

    const fields = await ok(['whoami']);
    const me = await json(['whoami']);

    expect(fields).toMatch(new RegExp(`^server: +${server().url}$`, 'm'));
    expect(fields).toMatch(/^name: +admin$/m);
    expect(fields).toMatch(/^administrator: +yes$/m);
    expect(me).toEqual({ kind: 'user', name: 'admin', admin: true, groups: [] });
  });

  it('keeps the session going with the refresh token the server hands back', async () => {
    await loginAs('admin', testAdminPassword);
    const first = storedLogins()[server().url]!.refreshToken;

    await ok(['whoami']);

    const second = storedLogins()[server().url]!.refreshToken;
    expect(second).not.toBe(first);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
  });

  it('logs out, after which whoami says so', async () => {
    await loginAs('admin', testAdminPassword);

    expect(await ok(['logout'])).toBe(`logged out of ${server().url}\n`);
    expect(storedLogins()).toEqual({});
    expect(await fails(['whoami', '--server', server().url])).toBe(
      `not logged in to ${server().url}; run berth login ${server().url}`,
    );
    expect(await ok(['logout', server().url])).toBe(`not logged in to ${server().url}\n`);
  });

  it('refuses a wrong password and stores nothing', async () => {
    const message = await fails(['login', server().url, '-u', 'admin'], {
      BERTH_PASSWORD: 'not-the-password',
    });

    expect(message).toBe('login failed: invalid username or password');
    expect(existsSync(credentialsFile())).toBe(false);
  });

  it('asks for a password it can read without a terminal', async () => {
    expect(await fails(['login', server().url, '-u', 'admin'])).toBe(
      'no password: pipe it with --password-stdin or set BERTH_PASSWORD',
    );
    expect(await fails(['login', server().url], { BERTH_PASSWORD: 'x' })).toBe(
      'name the account with -u USER',
    );
  });

  it('names a server it cannot reach, and refuses what is not a server URL', async () => {
    const port = await closedPort();
    const unreachable = `http://127.0.0.1:${port}`;

    expect(await fails(['login', unreachable, '-u', 'admin'], { BERTH_PASSWORD: 'x' })).toBe(
      `cannot reach ${unreachable} (ECONNREFUSED)`,
    );
    expect(await fails(['project', 'list', '--server', unreachable])).toBe(
      `cannot reach ${unreachable} (ECONNREFUSED)`,
    );
    expect(await fails(['login', 'ftp://registry.test', '-u', 'a'])).toBe(
      '"ftp://registry.test" is not a server URL such as https://registry.example.com',
    );
    expect(await fails(['project', 'list', '--server', 'http://a:b@registry.test'])).toBe(
      'give the server as http(s)://HOST[:PORT], without credentials or query',
    );
    expect(await fails(['project', 'list'])).toBe(
      'no server chosen: run berth login SERVER, or name one with --server or BERTH_SERVER',
    );
  });

  it('says so when a server has no management API', async () => {
    const open = await startTestServer({ auth: { enabled: false } });
    const message = `${open.url} has no Berth management API (is authentication switched off there?)`;

    try {
      expect(await fails(['login', open.url, '-u', 'admin'], { BERTH_PASSWORD: 'x' })).toBe(
        message,
      );
      expect(await fails(['project', 'list', '--server', open.url])).toBe(message);
    } finally {
      await open.close();
    }
  });

  it('takes the server from BERTH_SERVER, and a bare loopback address as http', async () => {
    const host = new URL(server().url).host;
    await ok(['login', host, '-u', 'admin'], { BERTH_PASSWORD: testAdminPassword });
    await ok(['logout']);

    await ok(['login', '-u', 'admin'], {
      BERTH_SERVER: server().url,
      BERTH_PASSWORD: testAdminPassword,
    });
    expect(Object.keys(storedLogins())).toEqual([server().url]);
  });

  it('tells an expired, revoked or damaged session from a working one', async () => {
    const hint = 'not logged in or session expired; run berth login';
    const erin = await new AdminApi(server()).createUser('erin');
    await loginAs(erin.username, erin.password);
    expect(await json(['whoami'])).toMatchObject({ name: 'erin' });

    storeRefreshToken(await expiredRefreshToken('erin'));
    expect(await fails(['whoami'])).toBe(hint);

    storeRefreshToken('not-a-token');
    expect(await fails(['project', 'list'])).toBe(hint);

    await loginAs(erin.username, erin.password);
    const disabled = await new ApiClient(server().url, await adminToken()).patch('/users/erin', {
      disabled: true,
    });
    expect(disabled).toMatchObject({ disabled: true });
    expect(await fails(['whoami'])).toBe(hint);

    await expect(new ApiClient(server().url, 'not-a-token').get('/whoami')).rejects.toThrow(hint);
  });

  it('sends anonymous requests when nobody is logged in, and says to log in on a 401', async () => {
    await loginAs('admin', testAdminPassword);
    await ok(['project', 'create', 'open-house', '--public']);
    await ok(['logout']);

    const list = await json<{ items: { name: string }[] }>([
      'project',
      'list',
      '--server',
      server().url,
    ]);

    expect(list.items.map((p) => p.name)).toContain('open-house');
    expect(await fails(['user', 'list', '--server', server().url])).toBe(
      'not logged in or session expired; run berth login',
    );
  });
});

describe('berth usage errors', () => {
  it("reports commander's usage errors as one berth: line that points at the help, exit 1", async () => {
    expect(await fails(['project', 'list', '--bogus'])).toBe(
      "unknown option '--bogus'; see berth project list --help",
    );
    expect(await fails(['project', 'create'])).toBe(
      "missing required argument 'name'; see berth project create --help",
    );
    expect(await fails(['projet', 'list'])).toBe(
      "unknown command 'projet' (did you mean project?); see berth --help",
    );
    expect(await fails(['login', 'a', 'b'])).toBe(
      "too many arguments for 'login'. Expected 1 argument but got 2; see berth login --help",
    );
  });

  it('names an address that is not a valid URL or host', async () => {
    expect(await fails(['login', 'http://[bad', '-u', 'a'])).toBe(
      '"http://[bad" is not a valid URL; give the server as https://HOST[:PORT]',
    );
    expect(await fails(['login', '::::', '-u', 'a'])).toBe(
      '"::::" is not a valid host[:port] or URL; give the server as https://HOST[:PORT]',
    );
    expect(await fails(['project', 'list', '--server', 'registry.test:99999'])).toBe(
      '"registry.test:99999" is not a valid host[:port] or URL; give the server as https://HOST[:PORT]',
    );
  });

  it("refuses a page size beyond the API's maximum, naming the option", async () => {
    await loginAs('admin', testAdminPassword);

    expect(await fails(['project', 'list', '--page-size', '101'])).toBe(
      '--page-size must be a whole number between 1 and 100; see berth project list --help',
    );
    expect(await fails(['user', 'list', '--page-size', '0'])).toBe(
      '--page-size must be a whole number between 1 and 100; see berth user list --help',
    );
    expect(await fails(['user', 'list', '--page', '2x'])).toBe(
      '--page must be a whole number between 1 and 1000000; see berth user list --help',
    );
    expect(await json(['user', 'list', '--page-size', '100'])).toMatchObject({ pageSize: 100 });
  });
});

describe('berth project', () => {
  beforeEach(async () => loginAs('admin', testAdminPassword));

  it('creates projects and lists them as a table and as the API page', async () => {
    expect(await ok(['project', 'create', 'web', '--label', 'env=dev', '-l', 'team=shop'])).toBe(
      'created private project web\n',
    );
    const created = await json(['project', 'create', 'docs', '--public', '--quota', '2GiB']);
    const table = await ok(['project', 'list', '--search', 'web']);
    const page = await json(['project', 'list', '--page-size', '1', '--search', 'docs']);

    expect(created).toMatchObject({ name: 'docs', public: true, quotaBytes: 2 * 1024 ** 3 });
    expect(table.split('\n')[0]).toMatch(/^NAME +ACCESS +QUOTA +LABELS +CREATED$/);
    expect(table).toMatch(/^web +private +- +env=dev, team=shop +\d{4}-\d\d-\d\d$/m);
    expect(page).toMatchObject({ items: [{ name: 'docs' }], total: 1, page: 1, pageSize: 1 });
  });

  it('says when a listing has more pages', async () => {
    for (const name of ['many-1', 'many-2', 'many-3']) await ok(['project', 'create', name]);

    const out = await ok(['project', 'list', '--search', 'many-', '--page-size', '2']);

    expect(out.trimEnd().split('\n').at(-1)).toBe('showing 1-2 of 3; next: --page 2');
  });

  it('shows a project with its storage use', async () => {
    await ok(['project', 'create', 'shown', '--quota', '10GiB', '--label', 'tier=gold']);

    const fields = await ok(['project', 'show', 'shown']);
    const shown = await json(['project', 'show', 'shown']);

    expect(fields).toMatch(/^access: +private$/m);
    expect(fields).toMatch(/^labels: +tier=gold$/m);
    expect(fields).toMatch(/^storage: +0 B of 10 GiB used \(0%\), warning at 80%$/m);
    expect(fields).toMatch(/^created: +\d{4}-\d\d-\d\d \d\d:\d\d UTC by admin$/m);
    expect(shown).toMatchObject({
      name: 'shown',
      labels: { tier: 'gold' },
      quota: { limitBytes: 10 * 1024 ** 3, usedBytes: 0, warning: 0.8 },
    });
  });

  it('updates visibility, labels and quota', async () => {
    await ok(['project', 'create', 'changing', '-l', 'a=1', '-l', 'b=2']);

    const out = await ok(['project', 'update', 'changing', '--public', '-l', 'c=3']);
    const relabelled = await json([
      'project',
      'update',
      'changing',
      '--remove-label',
      'a',
      '--quota',
      '500MB',
      '--quota-warning',
      '90%',
    ]);
    const warned = await json(['project', 'update', 'changing', '--quota-warning', '0.5']);
    const unlimited = await json(['project', 'update', 'changing', '--quota', 'none', '--private']);

    expect(out).toBe('updated project changing\n');
    expect(relabelled).toMatchObject({
      public: true,
      labels: { b: '2', c: '3' },
      quota: { limitBytes: 500_000_000, warning: 0.9 },
    });
    expect(relabelled.labels).not.toHaveProperty('a');
    expect(warned).toMatchObject({ quota: { limitBytes: 500_000_000, warning: 0.5 } });
    expect(unlimited).toMatchObject({ public: false, quota: { limitBytes: null } });
    expect(await fails(['project', 'update', 'changing'])).toMatch(/^nothing to change: /);
    expect(await fails(['project', 'update', 'changing', '-l', 'novalue'])).toBe(
      '--label "novalue" is not KEY=VALUE',
    );
    expect(await fails(['project', 'update', 'changing', '--quota', 'lots'])).toBe(
      '--quota "lots" is not a size such as 20GiB',
    );
  });

  it('deletes a project only when told --yes away from a terminal', async () => {
    await ok(['project', 'create', 'doomed']);

    expect(await fails(['project', 'delete', 'doomed'])).toBe(
      'deleting project doomed deletes all its images; add --yes to confirm',
    );
    expect(await ok(['project', 'delete', 'doomed', '--yes'])).toBe('deleted project doomed\n');
    expect(await fails(['project', 'show', 'doomed'])).toBe('project "doomed" does not exist');
  });

  it("says a project is missing or not the caller's to delete before asking to confirm", async () => {
    const admin = new AdminApi(server());
    await ok(['project', 'create', 'guarded']);
    const dev = await admin.createUser('guard-dev');
    const owner = await admin.createUser('guard-owner');
    await admin.addMember('guarded', 'user', dev.username, 'developer');
    await admin.addMember('guarded', 'user', owner.username, 'project-admin');

    await loginAs(dev.username, dev.password);
    expect(await fails(['project', 'delete', 'guarded'])).toBe(
      'delete-project is not allowed in project "guarded"',
    );
    expect(await fails(['project', 'delete', 'nowhere'])).toBe('project "nowhere" does not exist');

    await loginAs(owner.username, owner.password);
    expect(await fails(['project', 'delete', 'guarded'])).toBe(
      'deleting project guarded deletes all its images; add --yes to confirm',
    );
    expect(await ok(['project', 'delete', 'guarded', '--yes'])).toBe('deleted project guarded\n');
  });

  it("passes the server's refusals on as one line", async () => {
    await ok(['project', 'create', 'twice']);

    expect(await fails(['project', 'create', 'twice'])).toBe('project "twice" already exists');
    expect(await fails(['project', 'create', 'Bad_Name!'])).toMatch(/^body\.name: /);
  });
});

describe('berth project member', () => {
  let teams = 0;
  const project = () => `team-${teams}`;
  beforeEach(async () => {
    await loginAs('admin', testAdminPassword);
    await ok(['project', 'create', `team-${++teams}`]);
  });

  it('adds, lists, changes and removes users and groups', async () => {
    await ok(['user', 'create', `mia-${teams}`], { BERTH_NEW_PASSWORD: 'mia-password-1' });
    const mia = `mia-${teams}`;

    expect(await ok(['project', 'member', 'add', project(), mia, '--role', 'developer'])).toBe(
      `user ${mia} is now a developer of ${project()}\n`,
    );
    const group = await json([
      'project',
      'member',
      'add',
      project(),
      'ops',
      '--group',
      '-r',
      'guest',
    ]);
    const table = await ok(['project', 'member', 'list', project()]);
    const members = await json<{ kind: string; name: string; role: string }[]>([
      'project',
      'member',
      'list',
      project(),
    ]);
    const changed = await json(['project', 'member', 'update', project(), mia, '-r', 'maintainer']);

    expect(group).toMatchObject({ kind: 'group', name: 'ops', role: 'guest' });
    expect(table.split('\n')[0]).toMatch(/^KIND +NAME +ROLE +SINCE$/);
    expect(table).toMatch(new RegExp(`^user +${mia} +developer +\\d{4}-\\d\\d-\\d\\d$`, 'm'));
    expect(table).toMatch(/^group +ops +guest +/m);
    expect(members.map((m) => `${m.kind}:${m.name}:${m.role}`).sort()).toEqual([
      'group:ops:guest',
      'user:admin:project-admin',
      `user:${mia}:developer`,
    ]);
    expect(changed).toMatchObject({ kind: 'user', name: mia, role: 'maintainer' });
    expect(await ok(['project', 'member', 'remove', project(), 'ops', '--group'])).toBe(
      `removed group ops from ${project()}\n`,
    );
    expect(await ok(['project', 'member', 'remove', project(), mia])).toBe(
      `removed user ${mia} from ${project()}\n`,
    );
    expect(await json<unknown[]>(['project', 'member', 'list', project()])).toHaveLength(1);
  });

  it('keeps add and update apart, and checks the role', async () => {
    expect(await fails(['project', 'member', 'add', project(), 'admin', '-r', 'guest'])).toBe(
      `user admin is already a project-admin of ${project()}; change the role with berth project member update`,
    );
    expect(await fails(['project', 'member', 'update', project(), 'nobody', '-r', 'guest'])).toBe(
      `user nobody is not a member of ${project()}; add it with berth project member add`,
    );
    expect(await fails(['project', 'member', 'add', project(), 'ghost', '-r', 'guest'])).toBe(
      'user "ghost" does not exist',
    );

    const wrongRole = await berth(['project', 'member', 'add', project(), 'x', '-r', 'owner']);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toContain("argument 'owner' is invalid");
    const noRole = await berth(['project', 'member', 'add', project(), 'x']);
    expect(noRole.stderr).toContain("required option '-r, --role <role>' not specified");
  });
});

describe('berth robot', () => {
  beforeEach(async () => loginAs('admin', testAdminPassword));

  it('prints a project robot secret once, and the secret works at /auth/token', async () => {
    await ok(['project', 'create', 'ci-proj']);

    const out = await berth([
      'robot',
      'create',
      'builder',
      '--project',
      'ci-proj',
      '--grant',
      'pull,push',
      '--description',
      'CI builds',
    ]);
    const secret = /^secret: (\S+)$/m.exec(out.stdout)?.[1] ?? '';
    const shown = await ok(['robot', 'show', 'builder', '--project', 'ci-proj']);
    const asJson = await json(['robot', 'show', 'robot$ci-proj+builder']);

    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`created robot robot$ci-proj+builder\nsecret: ${secret}\n`);
    expect(out.stderr).toBe('berth: the secret is shown only now; Berth keeps only a hash of it\n');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(shown).not.toContain(secret);
    expect(JSON.stringify(asJson)).not.toContain(secret);
    expect(shown).toMatch(/^permissions: +ci-proj:pull,push$/m);
    expect(shown).toMatch(/^description: +CI builds$/m);
    expect(shown).toMatch(/^status: +active$/m);
    expect(
      await robotToken('robot$ci-proj+builder', secret, 'repository:ci-proj/app:pull,push'),
    ).toEqual({ status: 200, actions: ['pull', 'push'] });
    expect(
      await robotToken('robot$ci-proj+builder', 'wrong', 'repository:ci-proj/app:pull'),
    ).toMatchObject({ status: 401 });
  });

  it('puts the secret in the JSON of create and rotate; the old secret stops working', async () => {
    await ok(['project', 'create', 'rot']);
    const created = await json<{ robot: { name: string }; secret: string }>([
      'robot',
      'create',
      'mirror',
      '-p',
      'rot',
      '-g',
      'rot/base/*:pull',
      '--expires',
      'never',
    ]);

    const rotated = await json<{ secret: string }>(['robot', 'rotate', 'mirror', '-p', 'rot']);
    const text = await berth(['robot', 'rotate', 'robot$rot+mirror']);
    const latest = /^secret: (\S+)$/m.exec(text.stdout)?.[1] ?? '';

    expect(created.robot).toMatchObject({
      name: 'robot$rot+mirror',
      project: 'rot',
      grants: [{ project: 'rot', repositories: ['base/*'], actions: ['pull'] }],
      expiresAt: null,
    });
    expect(rotated.secret).not.toBe(created.secret);
    expect(text.stdout).toBe(
      `new secret for robot$rot+mirror; the old one no longer works\nsecret: ${latest}\n`,
    );
    const scope = 'repository:rot/base/os:pull';
    expect(await robotToken(created.robot.name, created.secret, scope)).toMatchObject({
      status: 401,
    });
    expect(await robotToken(created.robot.name, rotated.secret, scope)).toMatchObject({
      status: 401,
    });
    expect(await robotToken(created.robot.name, latest, scope)).toEqual({
      status: 200,
      actions: ['pull'],
    });
    expect(await robotToken(created.robot.name, latest, 'repository:rot/app:pull')).toEqual({
      status: 200,
      actions: [],
    });
  });

  it('lists, updates, disables, enables and deletes system robots', async () => {
    await ok(['project', 'create', 'sys-a']);
    const created = await json<{ secret: string }>([
      'robot',
      'create',
      'deployer',
      '--grant',
      '*:pull',
      '--grant',
      'sys-a/apps/**:pull,push',
      '--expires',
      '2099-01-31',
    ]);

    const table = await ok(['robot', 'list']);
    const listed = await json<{ name: string }[]>(['robot', 'list']);
    const updated = await json([
      'robot',
      'update',
      'deployer',
      '--grant',
      'sys-a:pull',
      '--description',
      'deploys',
      '--expires',
      '30d',
    ]);
    const disabled = await ok(['robot', 'disable', 'deployer']);
    const refused = await robotToken('robot$deployer', created.secret, 'repository:sys-a/x:pull');
    const enabled = await json(['robot', 'enable', 'robot$deployer']);

    expect(table.split('\n')[0]).toMatch(/^NAME +PERMISSIONS +STATUS +EXPIRES +LAST USED$/);
    expect(table).toMatch(/^robot\$deployer +\*:pull +active +2099-01-31 +never$/m);
    expect(table).toMatch(/^ +sys-a\/apps\/\*\*:pull,push$/m);
    expect(listed.map((r) => r.name)).toContain('robot$deployer');
    expect(updated).toMatchObject({
      grants: [{ project: 'sys-a', actions: ['pull'] }],
      description: 'deploys',
    });
    expect(Date.parse(updated.expiresAt as string) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(disabled).toBe('disabled robot robot$deployer\n');
    expect(refused.status).toBe(401);
    expect(enabled).toMatchObject({ name: 'robot$deployer', disabled: false });
    expect(await robotToken('robot$deployer', created.secret, 'repository:sys-a/x:pull')).toEqual({
      status: 200,
      actions: ['pull'],
    });
    expect(await ok(['robot', 'delete', 'deployer'])).toBe('deleted robot robot$deployer\n');
    expect(await fails(['robot', 'show', 'deployer'])).toBe(
      'robot "robot$deployer" does not exist',
    );
    expect(await fails(['robot', 'show', 'robot$ci-proj+builder', '--project', 'sys-a'])).toBe(
      'robot$ci-proj+builder is not a robot of project "sys-a"; leave out --project',
    );
  });

  it('keeps a long list of permissions within 100 columns', async () => {
    await ok(['project', 'create', 'wide']);
    const grants = ['wide/a-rather-long-repository-name/**', 'wide/another/long/path/*'].flatMap(
      (target) => ['--grant', `${target}:pull,push,delete-tag,delete-artifact,read-sbom,scan`],
    );
    await json(['robot', 'create', 'wide-robot', '-p', 'wide', '--description', 'x', ...grants]);

    const table = await ok(['robot', 'list', '-p', 'wide']);
    const fields = await ok(['robot', 'show', 'wide-robot', '-p', 'wide']);

    expect(widestLine(table)).toBeLessThanOrEqual(100);
    expect(widestLine(fields)).toBeLessThanOrEqual(100);
    expect(column(table, 'PERMISSIONS', 'STATUS').replace(/\s+/g, '')).toBe(
      'PERMISSIONS' +
        'wide/a-rather-long-repository-name/**:pull,push,delete-tag,delete-artifact,read-sbom,scan' +
        'wide/another/long/path/*:pull,push,delete-tag,delete-artifact,read-sbom,scan',
    );
  });

  it('explains grants it cannot read, and passes on those the server refuses', async () => {
    await ok(['project', 'create', 'strict']);

    expect(await fails(['robot', 'create', 'r1', '--grant', 'pull'])).toBe(
      '--grant "pull" names no project; write it as PROJECT[/PATTERN]:ACTION[,ACTION…]',
    );
    expect(await fails(['robot', 'create', 'r1', '--grant', 'strict/:pull'])).toBe(
      '--grant "strict/:pull" is not PROJECT[/PATTERN]:ACTION[,ACTION…]',
    );
    expect(await fails(['robot', 'create', 'r1'])).toBe(
      'a robot needs at least one --grant PROJECT[/PATTERN]:ACTION[,ACTION…]',
    );
    expect(await fails(['robot', 'create', 'r1', '-g', 'strict:pull', '--expires', 'soon'])).toBe(
      '--expires "soon": give never, a lifetime (90d, 12h) or a date (2030-01-31)',
    );
    for (const far of ['99999999d', '100000000h']) {
      expect(await fails(['robot', 'create', 'r1', '-g', 'strict:pull', '--expires', far])).toBe(
        `--expires "${far}" lies past the year 9999; give never instead`,
      );
    }
    expect(await fails(['robot', 'create', 'r1', '-p', 'strict', '-g', 'other:pull'])).toBe(
      'a robot of "strict" can only be granted actions in "strict"',
    );
    expect(await fails(['robot', 'update', 'r1', '-p', 'strict'])).toBe(
      'nothing to change: give --grant, --description or --expires',
    );
  });
});

describe('berth user', () => {
  beforeEach(async () => loginAs('admin', testAdminPassword));

  it('creates, lists, shows, updates and deletes accounts', async () => {
    const created = await ok(['user', 'create', 'noor', '--email', 'noor@example.test'], {
      BERTH_NEW_PASSWORD: 'noor-password-1',
    });
    const asJson = await json(['user', 'show', 'noor']);
    const fields = await ok(['user', 'show', 'noor']);
    const table = await ok(['user', 'list', '--search', 'noor']);
    const page = await json(['user', 'list', '--search', 'noor']);
    const updated = await json([
      'user',
      'update',
      'noor',
      '--display-name',
      'Noor Haddad',
      '--email',
      '',
      '--admin',
    ]);
    const disabled = await ok(['user', 'update', 'noor', '--disable', '--no-admin']);

    expect(created).toBe('created user noor\n');
    expect(asJson).toMatchObject({ username: 'noor', email: 'noor@example.test', admin: false });
    expect(fields).toMatch(/^email: +noor@example\.test$/m);
    expect(fields).toMatch(/^last login: +never$/m);
    expect(table.split('\n')[0]).toMatch(
      /^USERNAME +NAME +EMAIL +SOURCE +ADMIN +STATUS +LAST LOGIN$/,
    );
    expect(table).toMatch(/^noor +- +noor@example\.test +local +no +active +never$/m);
    expect(page).toMatchObject({ items: [{ username: 'noor' }], total: 1 });
    expect(updated).toMatchObject({ displayName: 'Noor Haddad', email: null, admin: true });
    expect(disabled).toBe('updated user noor\n');
    expect(await json(['user', 'show', 'noor'])).toMatchObject({ admin: false, disabled: true });
    expect(await ok(['user', 'delete', 'noor'])).toBe('deleted user noor\n');
    expect(await fails(['user', 'show', 'noor'])).toBe('user "noor" does not exist');
  });

  it('needs a new password from stdin, the environment or a terminal', async () => {
    expect(await fails(['user', 'create', 'nopass'])).toBe(
      'no new password: pipe it with --password-stdin or set BERTH_NEW_PASSWORD',
    );
    expect(await fails(['user', 'update', 'admin'])).toMatch(/^nothing to change: /);
  });

  it('sets passwords: an admin for others, a user for themselves staying logged in', async () => {
    await ok(['user', 'create', 'omar'], { BERTH_NEW_PASSWORD: 'omar-password-1' });

    expect(
      await ok(['user', 'set-password', 'omar'], { BERTH_NEW_PASSWORD: 'omar-password-2' }),
    ).toBe('set the password of omar\n');
    await loginAs('omar', 'omar-password-2');
    expect(await fails(['user', 'set-password'], { BERTH_NEW_PASSWORD: 'omar-password-3' })).toBe(
      'changing your own password needs the current one: set BERTH_PASSWORD',
    );
    expect(
      await fails(['user', 'set-password'], {
        BERTH_PASSWORD: 'wrong-password',
        BERTH_NEW_PASSWORD: 'omar-password-3',
      }),
    ).toBe('the current password is wrong');
    const changed = await ok(['user', 'set-password'], {
      BERTH_PASSWORD: 'omar-password-2',
      BERTH_NEW_PASSWORD: 'omar-password-3',
    });

    expect(changed).toBe(`changed your password; you are still logged in to ${server().url}\n`);
    expect(await json(['whoami'])).toMatchObject({ name: 'omar' });
    expect(await json(['user', 'show'])).toMatchObject({ username: 'omar', admin: false });
    expect(await fails(['user', 'list'])).toBe('manage-users needs a system administrator');
    await ok(['login', server().url, '-u', 'omar'], { BERTH_PASSWORD: 'omar-password-3' });
  });
});

describe('berth scan against this registry', () => {
  let authFile: string;
  beforeAll(async () => {
    await new AdminApi(server()).createProject('scan-private');
    authFile = path.join(tempDir('berth-auth-'), 'auth.json');
    writeFileSync(authFile, '{"auths": {}}');
  });

  it('says the registry asks for credentials, and how to give them, when none were sent', async () => {
    const result = await berth(
      ['scan', `${server().host}/scan-private/app:1`, '--plain-http', '--scanners', 'secret'],
      { REGISTRY_AUTH_FILE: authFile },
    );

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `berth: ${server().host} needs credentials for scan-private/app: use --username with ` +
        '--password-stdin, or log in with docker or podman\n',
    });
  });

  it('says the registry refused the credentials when some were sent', async () => {
    expectCurrentBuild();
    const scanner = await new AdminApi(server()).createUser('scan-reader');
    const image = `${server().host}/scan-private/app:1`;
    const login = ['--username', scanner.username, '--password-stdin'];

    const result = await spawnBerth(
      ['scan', image, '--plain-http', '--scanners', 'secret', ...login],
      { env: { REGISTRY_AUTH_FILE: authFile }, input: 'not-the-password\n' },
    );

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `berth: ${server().host} refused the credentials for scan-private/app\n`,
    });
  });

  it('names a registry host that is not valid', async () => {
    const result = await berth(['scan', 'registry.test:99999/app:1', '--scanners', 'secret']);

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'berth: "registry.test:99999" in "registry.test:99999/app:1" is not a valid registry host[:port]\n',
    });
  });
});

describe('bin/berth', () => {
  beforeAll(() => expectCurrentBuild());

  it('logs in with --password-stdin and lists projects, exiting 0', async () => {
    const env = { BERTH_CONFIG_DIR: configDir };
    const login = await spawnBerth(['login', server().url, '-u', 'admin', '--password-stdin'], {
      env,
      input: `${testAdminPassword}\n`,
    });
    const list = await spawnBerth(['project', 'list', '--json'], { env });

    expect(login).toMatchObject({ code: 0, stdout: `logged in to ${server().url} as admin\n` });
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(credentialsFile(), 'utf8')).not.toContain(testAdminPassword);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ page: 1, items: expect.any(Array) });
  });

  it('exits 1 on a usage error with one line on stderr, and berth scan 2 as it documents', async () => {
    const env = { BERTH_CONFIG_DIR: configDir };

    const list = await spawnBerth(['project', 'list', '--bogus'], { env });
    const scan = await spawnBerth(['scan', '--fail-on', 'hihg', 'oci:/nowhere'], { env });

    expect(list).toEqual({
      code: 1,
      stdout: '',
      stderr: "berth: unknown option '--bogus'; see berth project list --help\n",
    });
    expect(scan.code).toBe(2);
    expect(scan.stderr).toMatch(/^berth: option '--fail-on <severity>' argument 'hihg' is invalid/);
    expect(scan.stderr.split('\n')).toHaveLength(2);
  });

  it('exits 1 with one line on stderr when the server cannot be reached', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;

    const result = await spawnBerth(['project', 'list', '--server', unreachable], {
      env: { BERTH_CONFIG_DIR: configDir },
    });

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `berth: cannot reach ${unreachable} (ECONNREFUSED)\n`,
    });
  });
});

// Helpers that reach past the CLI.

function storeRefreshToken(token: string): void {
  const credentials = JSON.parse(readFileSync(credentialsFile(), 'utf8'));
  credentials.servers[server().url].refreshToken = token;
  writeFileSync(credentialsFile(), JSON.stringify(credentials));
}

/** An API token for the admin, got without the CLI. */
async function adminToken(): Promise<string> {
  const response = await fetch(`${server().url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: adminCredentials.username,
      password: adminCredentials.password,
      scope: 'berth:api:*',
    }).toString(),
  });

  return ((await response.json()) as { access_token: string }).access_token;
}

/** A refresh token signed by the server's own key that expired an hour ago. */
async function expiredRefreshToken(username: string): Promise<string> {
  const auth = server().berth.auth!;
  const key = await auth.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);

  return new SignJWT({ bk: 'user', bt: 'refresh' })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(auth.tokens.options.issuer)
    .setAudience(auth.tokens.options.issuer)
    .setSubject(username)
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(key.privateKey);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));

  return port;
}

/**
 * bin/berth runs dist/, which `npm test` builds first (scripts/bootstrap.mjs). Run alone, this
 * file needs `npm run build` after a change to src/cli, and says so instead of testing old code.
 */
function expectCurrentBuild(): void {
  const built = path.join(repoRoot, 'dist', 'cli', 'main.js');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = readdirSync(path.join(repoRoot, 'src', 'cli'), { recursive: true })
    .map((name) => path.join(repoRoot, 'src', 'cli', String(name)))
    .filter((file) => file.endsWith('.ts'));
  const stale = sources.filter((file) => statSync(file).mtimeMs > builtAt);

  if (stale.length > 0) {
    throw new Error(`dist/ is older than ${stale.join(', ')}: run npm run build first`);
  }
}

function spawnBerth(
  args: string[],
  options: { env: Record<string, string>; input?: string },
): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of ['BERTH_SERVER', 'BERTH_PASSWORD', 'BERTH_NEW_PASSWORD']) delete env[name];
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'berth'), ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
