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
/** USER_HZ: /proc reports CPU time in these ticks on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

export interface ServerSpec {
  id: string;
  label: string;
  /** Whether this is a build of Berth (the one whose CPU can be profiled). */
  berth?: boolean;
  /** Environment variables for the server, on top of the benchmark's own. */
  env?: Record<string, string>;
  /** What answers 200 once the server is up (default /v2/, which needs no sign-in). */
  readyPath?: string;
  /** Why this server cannot run here, or undefined when it can. */
  missing(): string | undefined;
  /**
   * The argv that serves `dataDir` on 127.0.0.1:`port`; may write a config into `dataDir`.
   * `nodeFlags` go to a Node.js server before its script (a CPU profile).
   */
  command(port: number, dataDir: string, nodeFlags: string[]): string[];
}

/** A Berth checkout's `bin/berth`, served on 127.0.0.1 with its defaults. */
export function berthServer(id: string, label: string, bin: string): ServerSpec {
  return {
    id,
    label,
    berth: true,
    // The peers run without authentication; so does Berth here. A build without the setting
    // warns about the variable and starts all the same.
    env: { BERTH_AUTH_ENABLED: 'false' },
    missing: () =>
      existsSync(path.resolve(bin, '../../dist/cli/main.js'))
        ? undefined
        : `${path.resolve(bin, '../../dist')} is not built`,
    command: (port, dataDir, nodeFlags) => [
      process.execPath,
      ...nodeFlags,
      bin,
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--data',
      dataDir,
      '--log-level',
      'warn',
    ],
  };
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

const PEERS: ServerSpec[] = [
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

/**
 * Berth from this checkout, then the peers. BERTH_BENCH_COMPARE=<path to another checkout's
 * bin/berth> adds that build as a fourth server, to see a change side by side with its base.
 */
export function serversUnderTest(): ServerSpec[] {
  const servers = [berthServer('berth', 'Berth', path.join(ROOT, 'bin', 'berth'))];
  const other = process.env.BERTH_BENCH_COMPARE;
  if (other) servers.push(berthServer('berth-compare', `Berth (${other})`, path.resolve(other)));

  return [...servers, ...PEERS];
}

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

export async function startServer(
  spec: ServerSpec,
  dataDir: string,
  nodeFlags: string[] = [],
): Promise<RunningServer> {
  const port = await freePort();
  const [command, ...args] = spec.command(port, dataDir, nodeFlags);
  // distribution v3 would otherwise try to export traces to an OTLP collector.
  const env = {
    ...process.env,
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_SDK_DISABLED: 'true',
    ...spec.env,
  };
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
      const res = await fetch(`${base}${spec.readyPath ?? '/v2/'}`);
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

/** CPU seconds (user + system, every thread) a live process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);

  return ticks / CLOCK_TICKS;
}

/** Restarts VmHWM from the current RSS, so that the next reading is the peak of what follows. */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not allowed here: the peak then covers the whole run so far.
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
