import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { robotActions } from '../../src/auth/index.js';
import { AdminApi, type Credentials } from '../support/accounts.js';
import { spawnServer, tempDir, type ServerProcess } from '../support/server.js';
import { run, tool } from '../support/tools.js';

/**
 * The OCI distribution-spec conformance suites, run against `berth serve` as a separate process.
 * `conformance.test` is the released ginkgo suite; `conformance-next` is the redesigned suite
 * from the spec's main branch, which adds Range GETs, sha512, upload cancel and ~4 MB manifests.
 * See scripts/install-test-tools.sh for the versions and why v1.1.1 itself cannot be built here.
 *
 * Authentication is on, as in production: the released suite signs in as a user who is a
 * maintainer of the project `conformance`, the redesigned suite as a robot of that project
 * holding every action a robot can hold. Both sign in through the Bearer token flow.
 */
describe('OCI distribution-spec conformance', () => {
  let server: ServerProcess | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    server = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  interface Started {
    server: ServerProcess;
    reports: string;
    user: Credentials;
    robot: Credentials;
  }

  async function start(env: NodeJS.ProcessEnv = {}): Promise<Started> {
    const data = tempDir('berth-conformance-');
    dirs.push(data);
    server = await spawnServer(['--data', data, '--listen', '127.0.0.1:0', '--log-level', 'info'], {
      BERTH_AUTH_ENABLED: 'true',
      ...env,
    });
    const reports = path.join(data, 'reports');
    mkdirSync(reports);

    // The suites must meet a registry that really asks who they are.
    expect((await fetch(`${server.url}/v2/`)).status).toBe(401);

    const admin = new AdminApi(server);
    await admin.createProject('conformance');
    const user = await admin.createUser('conformer');
    await admin.addMember('conformance', 'user', 'conformer', 'maintainer');
    const robot = await admin.createRobot(
      'conformance',
      [{ project: 'conformance', actions: [...robotActions] }],
      { project: 'conformance' },
    );

    return { server, reports, user, robot };
  }

  it.each([
    ['with automatic cross-mount', '1', 'true'],
    ['without automatic cross-mount', '0', 'false'],
  ])(
    'passes every spec of the released suite as a user, all four categories, %s',
    async (_, automatic, setting) => {
      const { server, reports, user } = await start({ BERTH_UPLOADS_AUTOMATIC_MOUNT: setting });

      const result = await run(tool('conformance.test'), ['-ginkgo.no-color'], {
        allowFailure: true,
        cwd: reports,
        env: {
          OCI_ROOT_URL: server.url,
          OCI_USERNAME: user.username,
          OCI_PASSWORD: user.password,
          OCI_NAMESPACE: 'conformance/repo1',
          OCI_CROSSMOUNT_NAMESPACE: 'conformance/repo2',
          OCI_TEST_PULL: '1',
          OCI_TEST_PUSH: '1',
          OCI_TEST_CONTENT_DISCOVERY: '1',
          OCI_TEST_CONTENT_MANAGEMENT: '1',
          OCI_AUTOMATIC_CROSSMOUNT: automatic,
          OCI_REPORT_DIR: reports,
        },
      });

      const summary = /(\d+) Passed \| (\d+) Failed/.exec(result.stdout);
      expect(summary, result.stdout.slice(-3000)).not.toBeNull();
      expect(Number(summary![2]), result.stdout.slice(-6000)).toBe(0);
      expect(Number(summary![1])).toBeGreaterThanOrEqual(74);
      expect(result.code).toBe(0);
    },
  );

  it('passes every enabled test of the redesigned suite as a robot, including the unreleased API checks', async () => {
    const { server, reports, robot } = await start();

    const result = await run(tool('conformance-next'), [], {
      allowFailure: true,
      cwd: reports,
      env: {
        OCI_REGISTRY: server.host,
        OCI_USERNAME: robot.username,
        OCI_PASSWORD: robot.password,
        OCI_TLS: 'disabled',
        OCI_REPO1: 'conformance/next1',
        OCI_REPO2: 'conformance/next2',
        // "dev" turns on upload cancel, digest headers and ?tag= on manifest PUT.
        OCI_VERSION: 'dev',
        OCI_RESULTS_DIR: reports,
      },
    });

    const output = result.stdout + result.stderr;
    expect(output, output.slice(-6000)).not.toMatch(/failed test/);
    expect(output).toMatch(/range requests: Pass/);
    expect(output).toMatch(/OCI Conformance Result: Pass/);
    expect(output).toMatch(/FAIL\.+:\s+0\n/);
    expect(output).toMatch(/Error\.+:\s+0\n/);
    expect(result.code, output.slice(-6000)).toBe(0);
  });
});
