import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials } from '../support/accounts.js';
import { spawnServer, tempDir, type ServerProcess } from '../support/server.js';
import { run, tool } from '../support/tools.js';

/**
 * schemathesis (pinned in scripts/install-test-tools.sh) fuzzes the management API from its own
 * OpenAPI document: every operation, with valid and invalid input, against `berth serve` with
 * authentication on. Any 5xx, any status the document does not list and any body that does not
 * match its schema fails the run; its report is the failure message.
 *
 * The fuzzer acts as a second administrator with a bearer token: it may delete or disable
 * `admin`, and it cannot lock itself out (tokens are not password guesses, and an administrator
 * cannot demote, disable or delete themselves).
 */

/** Examples per operation: about a minute on 2 cores for the whole API. */
const maxExamples = 40;
const seed = 20261204;

describe('schemathesis against the management API', () => {
  let server: ServerProcess | undefined;
  const dirs: string[] = [];

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finds no server error and no answer the document does not describe', async () => {
    const data = tempDir('berth-schemathesis-');
    const work = tempDir('berth-schemathesis-work-');
    dirs.push(data, work);
    server = await spawnServer(['--data', data, '--listen', '127.0.0.1:0', '--log-level', 'info'], {
      BERTH_AUTH_ENABLED: 'true',
      // The run must not outlive its token.
      BERTH_AUTH_TOKEN_TTL: '1h',
    });
    const api = new AdminApi(server).api;
    const fuzzer = { username: 'fuzzer', password: 'fuzzer-password-1' };
    const created = await api.post('/users', {
      basic: adminCredentials,
      body: { ...fuzzer, admin: true },
    });
    expect(created.status).toBe(201);
    const token = await api.login(fuzzer.username, fuzzer.password);

    const result = await run(
      tool('schemathesis'),
      [
        'run',
        `${server.url}/api/v1/openapi.json`,
        '--header',
        `Authorization: Bearer ${token}`,
        '--checks',
        'not_a_server_error,status_code_conformance,response_schema_conformance',
        '--max-examples',
        String(maxExamples),
        '--seed',
        String(seed),
        '--workers',
        '1',
        '--generation-database',
        'none',
        '--generation-with-security-parameters',
        'false',
        '--no-color',
      ],
      { cwd: work, allowFailure: true, timeoutMs: 540_000 },
    );

    const report = `${result.stdout}\n${result.stderr}`.slice(-20_000);
    expect(result.code, report).toBe(0);
    expect(server.child.exitCode).toBeNull();
  });
});
