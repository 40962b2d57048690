import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { startBerth, type Berth } from '../../src/app.js';
import { validateConfig, type ConfigInput } from '../../src/config/index.js';
import { createLogger } from '../../src/http/logging.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A fresh directory for a test, under the run's own temporary directory (test/support/
 * global-setup.ts), which is removed when the run ends.
 */
export function tempDir(prefix = 'berth-test-'): string {
  return mkdtempSync(path.join(process.env.BERTH_TEST_TMP ?? os.tmpdir(), prefix));
}

export interface TestServer {
  berth: Berth;
  url: string;
  /** host:port, as clients want it. */
  host: string;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Where the server logs; silent unless BERTH_TEST_LOG names a level. */
  logger?: Logger;
  /** The first account's password, when authentication is on (default: testAdminPassword). */
  adminPassword?: string;
}

export const testAdminPassword = 'admin-test-password';

/**
 * Starts Berth in this process on a free loopback port with a fresh data directory.
 * Authentication is off unless `settings.auth` says otherwise: the protocol tests exercise the
 * registry itself, the access-control tests turn it on.
 */
export async function startTestServer(
  settings: ConfigInput = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dataDir = settings.dataDir ?? tempDir();
  const config = validateConfig({
    listen: '127.0.0.1:0',
    auth: { enabled: false },
    ...settings,
    dataDir,
    log: { level: 'silent' },
  });
  const logger = options.logger ?? createLogger(process.env.BERTH_TEST_LOG ?? 'silent');
  const berth = await startBerth(config, logger, {
    adminPassword: options.adminPassword ?? testAdminPassword,
  });

  return {
    berth,
    url: berth.url,
    host: new URL(berth.url).host,
    dataDir,
    async close() {
      await berth.close();
      if (!settings.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts one test server for the enclosing `describe` block (or the whole file, at top level)
 * and closes it afterwards. Call the getter inside hooks and tests, once the server is up.
 */
export function useTestServer(
  settings: ConfigInput = {},
  options: TestServerOptions = {},
): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(settings, options);
  });
  afterAll(async () => server?.close());

  return () => {
    if (!server) throw new Error('the test server is not running: call this inside a test');

    return server;
  };
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  host: string;
  /** Every log line the server printed so far. */
  logs: string[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Runs `bin/berth serve` as a child process (for crash and shutdown tests) and resolves once
 * it logs the address it listens on. Authentication is off unless `env` turns it on.
 */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'berth'), 'serve', ...args], {
    env: {
      ...process.env,
      BERTH_AUTH_ENABLED: 'false',
      BERTH_ADMIN_PASSWORD: testAdminPassword,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (data: Buffer) => {
      buffer += data.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const url = /"url":"([^"]+)"/.exec(line)?.[1];
        if (url && line.includes('berth listening')) {
          clearTimeout(timer);
          resolve({ child, url, host: new URL(url).host, logs, exited });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`server did not log its address (needs log level info):\n${logs.join('\n')}`),
      );
    }, 30_000);
    timer.unref();
  });
}
