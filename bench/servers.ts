// The registries under test, and how to start one on a fresh data directory and stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository root: this file runs from build/bench/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const CACHE_DIR = process.env.BERTH_CACHE ?? path.join(os.homedir(), '.cache', 'berth');
const DEBIAN_REGISTRY = '/usr/bin/docker-registry';
const REGISTRY_V3 = path.join(CACHE_DIR, 'tools', 'bin', 'registry-v3');
const STARTUP_TIMEOUT_MS = 30_000;

export interface ServerSpec {
  id: string;
  label: string;
  /** Why this server cannot run here, or undefined when it can. */
  missing(): string | undefined;
  /** The argv that serves `dataDir` on 127.0.0.1:`port`; may write a config into `dataDir`. */
  command(port: number, dataDir: string): string[];
}

/** The config both distribution versions accept: filesystem storage, deletes on, loopback. */
function distributionConfig(port: number, dataDir: string): string {
  const config = path.join(dataDir, 'config.yml');
  const yaml = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dataDir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
  writeFileSync(config, yaml);

  return config;
}

export const SERVERS: ServerSpec[] = [
  {
    id: 'berth',
    label: 'Berth',
    missing: () =>
      existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')) ? undefined : 'dist/ is not built',
    command: (port, dataDir) => [
      process.execPath,
      path.join(ROOT, 'bin', 'berth'),
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--data',
      dataDir,
      '--log-level',
      'warn',
    ],
  },
  {
    id: 'distribution-2.8.2',
    label: 'distribution 2.8.2 (Debian)',
    missing: () =>
      existsSync(DEBIAN_REGISTRY) ? undefined : `${DEBIAN_REGISTRY} is not installed`,
    command: (port, dataDir) => [DEBIAN_REGISTRY, 'serve', distributionConfig(port, dataDir)],
  },
  {
    id: 'distribution-v3',
    label: 'distribution v3.1.1',
    missing: () =>
      existsSync(REGISTRY_V3)
        ? undefined
        : `${REGISTRY_V3} was not built (scripts/install-bench-peers.sh)`,
    command: (port, dataDir) => [REGISTRY_V3, 'serve', distributionConfig(port, dataDir)],
  },
];

/** The first port in 5600-5699 nothing listens on (other test runs share this machine). */
export async function freePort(): Promise<number> {
  for (let port = 5600; port < 5700; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 5600-5699');
}

export interface RunningServer {
  base: string;
  process: ChildProcess;
  stderr: () => string;
}

export async function startServer(spec: ServerSpec, dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  const [command, ...args] = spec.command(port, dataDir);
  // distribution v3 would otherwise try to export traces to an OTLP collector.
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' };
  const child = spawn(command!, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${spec.id} exited with ${child.exitCode} on start: ${stderr}`);
    }
    try {
      const res = await fetch(`${base}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200) return { base, process: child, stderr: () => stderr };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${spec.id} did not answer /v2/ within ${STARTUP_TIMEOUT_MS} ms: ${stderr}`);
}

/** Peak resident set size of a live process, in MiB (VmHWM from /proc). */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);

    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function stopServer(server: RunningServer): Promise<void> {
  const child = server.process;
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
