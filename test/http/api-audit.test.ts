// The audit log: pushes, pulls (when audit.pulls is on), deletes, sign-ins, member and robot
// changes, each with who, what, when, from where and how it ended; its filters, pages and JSON
// lines export; the retention sweep; and sign-in guessing slowed down, then locked out.
import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { auditEvents, type AuditEvent, type AuditPage } from '../support/api-fixtures.js';
import type { ApiClient } from '../support/api-client.js';
import { startTestServer, tempDir, useTestServer } from '../support/server.js';

const lockout = { slowAfter: 1, attempts: 4, duration: '2s' };
const server = useTestServer({ auth: { enabled: true, lockout }, audit: { pulls: true } });

let admin: AdminApi;
let api: ApiClient;
let dev: Credentials;
let guest: Credentials;

beforeAll(async () => {
  admin = new AdminApi(server());
  api = admin.api;
  dev = await admin.createUser('dev');
  guest = await admin.createUser('guest');
  await admin.createProject('audited');
  await admin.addMember('audited', 'user', 'dev', 'developer');
  await admin.addMember('audited', 'user', 'guest', 'guest');
});

/** The newest event matching `filter`, which must exist. */
async function latest(filter: Record<string, string>): Promise<AuditEvent> {
  const [event] = await auditEvents(api, filter);
  expect(event, `an event matching ${JSON.stringify(filter)}`).toBeDefined();

  return event!;
}

function expectRecent(event: AuditEvent, since: number): void {
  expect(Date.parse(event.at)).toBeGreaterThanOrEqual(since - 1000);
  expect(Date.parse(event.at)).toBeLessThanOrEqual(Date.now());
}

describe('what is recorded', () => {
  it('a push and a pull, with who, what, when, from where and the result', async () => {
    const since = Date.now();
    const digest = await new RegistryAs(server(), dev).pushed('audited/app', 'v1');
    expect((await new RegistryAs(server(), guest).pull('audited/app', 'v1')).status).toBe(200);

    const push = await latest({ action: 'artifact.push', actor: 'dev' });
    const pull = await latest({ action: 'artifact.pull', actor: 'guest' });

    expect(push).toMatchObject({
      actorKind: 'user',
      project: 'audited',
      resource: 'audited/app:v1',
      result: 'success',
      remoteAddr: '127.0.0.1',
    });
    expect(pull).toMatchObject({
      project: 'audited',
      resource: 'audited/app:v1',
      result: 'success',
    });
    expectRecent(push, since);
    expect(digest).toMatch(/^sha256:/);
  });

  it('tag, manifest and blob deletes', async () => {
    const registry = new RegistryAs(server(), adminCredentials);
    const digest = await registry.pushed('audited/gone', 'v1');
    const manifest = await registry.fetch(`audited/gone/manifests/${digest}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    const config = ((await manifest.json()) as { config: { digest: string } }).config.digest;

    expect((await registry.deleteManifest('audited/gone', 'v1')).status).toBe(202);
    expect((await registry.deleteManifest('audited/gone', digest)).status).toBe(202);
    expect(
      (await registry.fetch(`audited/gone/blobs/${config}`, { method: 'DELETE' })).status,
    ).toBe(202);

    const actions = (await auditEvents(api, { actor: 'admin', project: 'audited' }))
      .filter((e) => e.resource?.startsWith('audited/gone'))
      .map((e) => [e.action, e.resource]);
    expect(actions.slice(0, 3)).toEqual([
      ['blob.delete', `audited/gone@${config}`],
      ['artifact.delete', `audited/gone@${digest}`],
      ['tag.delete', 'audited/gone:v1'],
    ]);
  });

  it('a refused manifest push as denied, naming who was refused', async () => {
    const res = await new RegistryAs(server(), guest).fetch('audited/app/manifests/v9', {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: '{}',
    });
    expect(res.status).toBe(403);

    const refused = await latest({ action: 'artifact.push', project: 'audited' });

    expect(refused).toMatchObject({
      resource: 'audited/app:v9',
      result: 'denied',
      actor: guest.username,
      actorKind: 'user',
    });
  });

  it('sign-ins that succeed and fail, with the reason', async () => {
    const signer = await admin.createUser('signer');
    await api.login(signer.username, signer.password);
    await api.get('/whoami', { basic: { username: 'signer', password: 'wrong-password' } });

    const [failed, succeeded] = await auditEvents(api, { action: 'login', actor: 'signer' });

    expect(succeeded).toMatchObject({
      result: 'success',
      actorKind: 'user',
      remoteAddr: '127.0.0.1',
    });
    expect(failed).toMatchObject({
      result: 'failure',
      detail: { reason: 'invalid username or password' },
    });
  });

  it('member and robot changes, with the project they touch', async () => {
    await admin.addMember('audited', 'user', 'guest', 'limited-guest');
    const robot = await admin.createRobot('ci', [{ project: 'audited', actions: ['pull'] }], {
      project: 'audited',
    });
    await api.post(`/robots/${robot.username}/secret`, { basic: adminCredentials });
    await api.delete(`/robots/${robot.username}`, { basic: adminCredentials });

    const member = await latest({ action: 'member.put', project: 'audited' });
    const robotActions = (await auditEvents(api, { project: 'audited' }))
      .filter((e) => e.resource === robot.username)
      .map((e) => e.action);

    expect(member).toMatchObject({
      actor: 'admin',
      resource: 'user:guest',
      detail: { role: 'limited-guest' },
    });
    expect(robotActions).toEqual(['robot.delete', 'robot.rotate', 'robot.create']);
  });
});

describe('pulls', () => {
  const quiet = useTestServer({ auth: { enabled: true } });

  it('are not recorded unless audit.pulls is on', async () => {
    const quietAdmin = new AdminApi(quiet());
    await quietAdmin.createProject('quiet');
    const registry = new RegistryAs(quiet(), adminCredentials);
    await registry.pushed('quiet/app', 'v1');
    expect((await registry.pull('quiet/app', 'v1')).status).toBe(200);

    const pulls = await auditEvents(quietAdmin.api, { action: 'artifact.pull' });

    expect(pulls).toEqual([]);
    expect((await auditEvents(quietAdmin.api, { action: 'artifact.push' })).length).toBe(1);
  });
});

describe('reading the log', () => {
  it('filters by project, actor and action', async () => {
    const byProject = await auditEvents(api, { project: 'audited' });
    const byActor = await auditEvents(api, { actor: 'dev' });
    const byAction = await auditEvents(api, { action: 'artifact.push' });

    expect(byProject.length).toBeGreaterThan(0);
    expect(new Set(byProject.map((e) => e.project))).toEqual(new Set(['audited']));
    expect(new Set(byActor.map((e) => e.actor))).toEqual(new Set(['dev']));
    expect(new Set(byAction.map((e) => e.action))).toEqual(new Set(['artifact.push']));
  });

  it('filters by time, `from` inclusive and `to` exclusive', async () => {
    const from = new Date().toISOString();
    await new RegistryAs(server(), dev).pushed('audited/timed', 'v1');
    const to = new Date(Date.now() + 1).toISOString();
    await new RegistryAs(server(), dev).pushed('audited/timed', 'v2');

    const window = await auditEvents(api, { from, to, action: 'artifact.push' });

    expect(window.map((e) => e.resource)).toEqual(['audited/timed:v1']);
  });

  it('takes times with an offset as the instants they name', async () => {
    const offset = await api.get<{ items: unknown[] }>(
      `/audit?from=${encodeURIComponent('2030-01-01T02:00:00+02:00')}&to=2030-01-01T00:00:01Z`,
      { basic: adminCredentials },
    );
    const reversed = await api.get(
      '/audit?from=2030-01-01T00:00:00-01:00&to=2030-01-01T00:30:00Z',
      {
        basic: adminCredentials,
        invalid: true,
      },
    );

    expect(offset.status).toBe(200);
    expect(reversed.status).toBe(400);
  });

  it('refuses a `from` after `to` with 400', async () => {
    const res = await api.get('/audit?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', {
      basic: adminCredentials,
    });

    expect(res.status).toBe(400);
  });

  it('pages newest first with `before`, until `next` is null', async () => {
    const all = await auditEvents(api, { project: 'audited' });
    const ids: number[] = [];
    let before: number | null | undefined;
    do {
      const query = new URLSearchParams({ project: 'audited', limit: '3' });
      if (before) query.set('before', String(before));
      const page = await api.get<AuditPage>(`/audit?${query}`, { basic: adminCredentials });
      ids.push(...page.body.items.map((e) => e.id));
      before = page.body.next;
    } while (before);

    expect(ids).toEqual(all.map((e) => e.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it('shows a project’s own log to its members, and nobody else’s', async () => {
    const own = await api.get<AuditPage>('/projects/audited/audit', { basic: dev });
    const outsider = await admin.createUser('outsider');

    expect(own.status).toBe(200);
    expect(new Set(own.body.items.map((e) => e.project))).toEqual(new Set(['audited']));
    expect((await api.get('/projects/audited/audit', { basic: outsider })).status).toBe(404);
    expect((await api.get('/audit', { basic: dev })).status).toBe(403);
  });

  it('exports the same selection as JSON lines', async () => {
    const res = await api.get<string>('/audit/export?project=audited', { basic: adminCredentials });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = res.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(lines).toEqual(await auditEvents(api, { project: 'audited' }));
    expect((await api.get('/audit/export', { basic: dev })).status).toBe(403);
  });
});

describe('retention', () => {
  it('sweeps events older than audit.retention when the server starts', async () => {
    const dataDir = tempDir();
    const settings = { dataDir, auth: { enabled: true }, audit: { retention: '30d' } };
    const first = await startTestServer(settings);
    const day = 24 * 3600_000;
    first.berth.auth!.audit.record('system', { action: 'test.ancient' }, Date.now() - 31 * day);
    first.berth.auth!.audit.record('system', { action: 'test.recent' }, Date.now() - 29 * day);
    await first.close();

    const second = await startTestServer(settings);
    try {
      const client = new AdminApi(second).api;
      expect(await auditEvents(client, { action: 'test.ancient' })).toEqual([]);
      expect((await auditEvents(client, { action: 'test.recent' })).length).toBe(1);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('failed sign-ins', () => {
  it('are answered more slowly, then lock the account for a while', async () => {
    const victim = await admin.createUser('victim');
    const wrong = { username: 'victim', password: 'guessed-password' };
    const timed = async (credentials: Credentials) => {
      const started = performance.now();
      const res = await api.get('/whoami', { basic: credentials });
      return {
        status: res.status,
        ms: performance.now() - started,
        retry: res.headers.get('retry-after'),
      };
    };

    const attempts = [];
    for (let i = 0; i < lockout.attempts; i++) attempts.push(await timed(wrong));
    const whileLocked = await timed(victim);

    expect(attempts.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    expect(Number(attempts[3]!.retry)).toBeGreaterThan(0);
    expect(attempts[2]!.ms).toBeGreaterThanOrEqual(240);
    expect(attempts[3]!.ms).toBeGreaterThanOrEqual(490);
    expect(whileLocked.status).toBe(429);
    expect(Number(whileLocked.retry)).toBeGreaterThan(0);
    expect((await new RegistryAs(server(), victim).fetch('')).status).toBe(429);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await timed(victim)).status).toBe(200);
    const results = (await auditEvents(api, { action: 'login', actor: 'victim' })).map(
      (e) => e.result,
    );
    expect(results.slice(0, 3)).toEqual(['success', 'denied', 'denied']);
  });
  it('counts guesses sent in parallel one by one: the right password after them is refused', async () => {
    const target = await admin.createUser('parallel-target');
    const wrong = { username: target.username, password: 'guessed-password' };

    const statuses = await Promise.all(
      Array.from({ length: 12 }, async () => (await api.get('/whoami', { basic: wrong })).status),
    );
    const right = await api.get('/whoami', { basic: target });

    expect(statuses.filter((s) => s === 401)).toHaveLength(lockout.attempts - 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - (lockout.attempts - 1));
    expect(right.status).toBe(429);
  });

  it('counts guesses typed in any case against one account, audited under its name', async () => {
    await admin.createUser('casey');
    const guesses = ['CASEY', 'Casey', 'cAsEy', 'casey'];

    const statuses = [];
    for (const username of guesses) {
      statuses.push(
        (await api.get('/whoami', { basic: { username, password: 'nope-nope' } })).status,
      );
    }

    expect(statuses).toEqual([401, 401, 401, 429]);
    const events = await auditEvents(api, { action: 'login', actor: 'casey' });
    expect(events.map((e) => e.result)).toEqual(['denied', 'failure', 'failure', 'failure']);
  });

  it('counts wrong current passwords in a password change, and audits them', async () => {
    const owner = await admin.createUser('changer');
    const change = (currentPassword: string) =>
      api.put('/users/changer/password', {
        basic: owner,
        body: { password: 'a-brand-new-password', currentPassword },
      });

    const statuses = [];
    for (let i = 0; i < lockout.attempts; i++) statuses.push((await change('not-it')).status);
    const withTheRightOne = await change(owner.password);

    expect(statuses).toEqual([403, 403, 403, 429]);
    expect(withTheRightOne.status).toBe(429);
    const events = await auditEvents(api, { action: 'user.password', actor: 'changer' });
    expect(events.map((e) => e.result)).toContain('failure');
  });

  it('refuses names no account can have without keeping anything for them', async () => {
    const made_up = { username: `n-${'x'.repeat(3000)}`, password: 'whatever' };

    const res = await api.get('/whoami', { basic: made_up, invalid: true });
    const failures = await server().berth.registry.meta.accounts.getLoginFailure(
      made_up.username.toLowerCase(),
    );

    expect(res.status).toBe(401);
    expect(failures).toBeUndefined();
  });
});
