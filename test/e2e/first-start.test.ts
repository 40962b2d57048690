import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { spawnServer, tempDir, testAdminPassword, type ServerProcess } from '../support/server.js';

/*
 * The first start of `berth serve` on an empty database creates the `admin` account: with the
 * password from BERTH_ADMIN_PASSWORD, or a generated one printed once on stderr and never
 * written to the structured log.
 */
describe('the first account', () => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  async function serve(
    data: string,
    adminPassword: string,
    listen = '127.0.0.1:0',
  ): Promise<ServerProcess> {
    const server = await spawnServer(['--data', data, '--listen', listen, '--log-level', 'debug'], {
      BERTH_AUTH_ENABLED: 'true',
      BERTH_ADMIN_PASSWORD: adminPassword,
    });
    servers.push(server);
    return server;
  }

  async function stop(server: ServerProcess): Promise<void> {
    server.child.kill('SIGTERM');
    await server.exited;
    servers.splice(servers.indexOf(server), 1);
  }

  const announcement = /^Created the first account: admin \/ (\S+)$/;

  it('gets a generated password, shown once and never logged', async () => {
    const data = tempDir();
    const first = await serve(data, '');

    const shown = first.logs.map((line) => announcement.exec(line)?.[1]).filter(Boolean);
    expect(shown).toHaveLength(1);
    const password = shown[0]!;
    expect(password.length).toBeGreaterThanOrEqual(20);

    const api = new ApiClient(first.url);
    const whoami = await api.get<{ name: string; admin: boolean }>('/whoami', {
      basic: { username: 'admin', password },
    });
    expect(whoami.body).toMatchObject({ name: 'admin', admin: true });
    const logLines = first.logs.filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(password);

    await stop(first);
    const again = await serve(data, '');
    expect(again.logs.some((line) => announcement.test(line))).toBe(false);
    const still = await new ApiClient(again.url).get('/whoami', {
      basic: { username: 'admin', password },
    });
    expect(still.status).toBe(200);
  });

  it('keeps the generated password for a start that fails to listen', async () => {
    const data = tempDir();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;

    await expect(serve(data, '', `127.0.0.1:${port}`)).rejects.toThrow(/exited/);
    taken.close();

    const next = await serve(data, '');
    const shown = next.logs.map((line) => announcement.exec(line)?.[1]).filter(Boolean);
    expect(shown).toHaveLength(1);
    const basic = { username: 'admin', password: shown[0]! };
    expect((await new ApiClient(next.url).get('/whoami', { basic })).status).toBe(200);
  });

  it('takes BERTH_ADMIN_PASSWORD when set, and only on the first start', async () => {
    const data = tempDir();
    const first = await serve(data, testAdminPassword);
    expect(first.logs.some((line) => announcement.test(line))).toBe(false);
    const api = new ApiClient(first.url);
    const basic = { username: 'admin', password: testAdminPassword };
    expect((await api.get('/whoami', { basic })).status).toBe(200);
    await stop(first);

    const second = await serve(data, 'a-different-password');
    const changed = { username: 'admin', password: 'a-different-password' };
    expect((await new ApiClient(second.url).get('/whoami', { basic: changed })).status).toBe(401);
    expect((await new ApiClient(second.url).get('/whoami', { basic })).status).toBe(200);
  });
});
