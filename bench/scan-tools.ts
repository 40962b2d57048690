// How `berth scan` and syft are run on the test images, shared by the scan benchmark
// (bench/scan.ts) and the scanner's end-to-end tests (test/e2e/scan-*.test.ts): where the
// images and syft are, the settings that keep syft offline, and one measured run of a command.
// Peak memory comes from /usr/bin/time, which reads the child's maximum resident set size from
// the kernel when it reaps the child: no sampling, so the figure does not depend on timing.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where scripts/install-test-tools.sh and scripts/build-test-images.sh put their output. */
export const CACHE_DIR = process.env.BERTH_CACHE ?? path.join(os.homedir(), '.cache', 'berth');
export const SYFT = path.join(CACHE_DIR, 'tools', 'bin', 'syft');
export const TIME = '/usr/bin/time';

/**
 * syft's settings for a scan that stays on this machine: no update check, no licence or
 * version look-ups in package registries (most are off by default; these say so whatever a
 * user's syft configuration file turns on).
 */
export const SYFT_OFFLINE_ENV: Record<string, string> = {
  SYFT_CHECK_FOR_APP_UPDATE: 'false',
  SYFT_GOLANG_SEARCH_REMOTE_LICENSES: 'false',
  SYFT_JAVA_USE_NETWORK: 'false',
  SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES: 'false',
  SYFT_PYTHON_SEARCH_REMOTE_LICENSES: 'false',
};

/** An image as images.json (scripts/build-test-images.sh) lists it. */
export interface ScanImage {
  name: string;
  tag: string;
  /** The OCI layout's directory. */
  dir: string;
  /** `oci:<dir>:<tag>`, the form `berth scan` takes. */
  reference: string;
  /** The manifest's (or index's) digest. */
  digest: string;
  /** Bytes of every blob in the layout. */
  blobBytes: number;
  layers: number;
}

/** The images built by scripts/build-test-images.sh, by name. */
export function scanImages(): Map<string, ScanImage> {
  const file = path.join(CACHE_DIR, 'images', 'images.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/build-test-images.sh`);

  const { images } = JSON.parse(readFileSync(file, 'utf8')) as { images: ScanImage[] };

  return new Map(images.map((image) => [image.name, image]));
}

/** One image of images.json; throws with the command that builds it when it is missing. */
export function scanImage(name: string): ScanImage {
  const image = scanImages().get(name);
  if (!image) throw new Error(`${name} is not in images.json: run scripts/build-test-images.sh`);

  return image;
}

/**
 * The syft version that scripts/install-test-tools.sh built (its binary does not know it);
 * throws when syft is not installed.
 */
export function syftVersion(): string {
  const stamp = path.join(CACHE_DIR, 'tools', 'stamps', 'syft.version');
  if (!existsSync(SYFT) || !existsSync(stamp)) {
    throw new Error(`syft is not installed at ${SYFT}: run scripts/install-test-tools.sh`);
  }

  return readFileSync(stamp, 'utf8').trim();
}

/** The architecture of this host as OCI names it, which is what `berth scan` picks too. */
export function hostPlatform(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch;

  return `linux/${arch}`;
}

/** `syft scan` of an image's OCI layout, its report (`syft-json`, `spdx-json`) written to `output`. */
export function syftCommand(image: ScanImage, output: string, format = 'syft-json'): string[] {
  return [
    SYFT,
    'scan',
    `oci-dir:${image.dir}`,
    '--platform',
    hostPlatform(),
    '--output',
    `${format}=${output}`,
    '--quiet',
  ];
}

/**
 * `berth scan` of an image, its report written to `output`: Berth's own JSON, which needs an
 * advisory database `db` (an empty one is enough for the inventory), or SPDX, which needs none.
 */
export function berthCommand(
  root: string,
  image: ScanImage,
  output: string,
  report: { format: 'json'; db: string } | { format: 'spdx' },
): string[] {
  return [
    process.execPath,
    path.join(root, 'bin', 'berth'),
    'scan',
    image.reference,
    '--format',
    report.format,
    ...(report.format === 'json' ? ['--db', report.db] : []),
    '--no-progress',
    '--output',
    output,
  ];
}

/**
 * Why bin/berth (which runs dist/) would run older code than src/ holds, or undefined when it
 * is current. `npm test` and the benchmark build first (scripts/bootstrap.mjs).
 */
export function staleBuild(root: string): string | undefined {
  const built = path.join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(built)) return `${built} is missing: run node scripts/bootstrap.mjs`;

  const builtAt = statSync(built).mtimeMs;
  const sources = readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true });
  const newer = sources.find(
    (entry) =>
      entry.isFile() && statSync(path.join(entry.parentPath, entry.name)).mtimeMs > builtAt,
  );

  return newer
    ? `dist/ is older than ${path.join(newer.parentPath, newer.name)}: run node scripts/bootstrap.mjs`
    : undefined;
}

export interface Measured {
  code: number;
  /** Wall-clock time from spawn to exit. */
  seconds: number;
  /** The process's maximum resident set size, in MiB. */
  peakRssMiB: number;
  /** User plus system CPU time, in seconds: what the run cost whatever else the machine did. */
  cpuSeconds: number;
  stderr: string;
}

export interface MeasureOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

let measured = 0;

/** Runs a command under /usr/bin/time: its exit code, wall time, peak RSS and CPU time. */
export function measure(argv: string[], options: MeasureOptions = {}): Promise<Measured> {
  if (!existsSync(TIME)) {
    return Promise.reject(new Error(`${TIME} is missing: apt-get install time`));
  }
  const report = path.join(os.tmpdir(), `berth-time-${process.pid}-${++measured}.txt`);
  const start = process.hrtime.bigint();
  const child = spawn(TIME, ['--format', '%M %U %S', '--output', report, ...argv], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, so that a timeout ends the measured command too, not just time.
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(
    () => process.kill(-child.pid!, 'SIGKILL'),
    options.timeoutMs ?? 600_000,
  );

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // time writes "Command exited with non-zero status N" first when the command failed.
      const last = existsSync(report) ? readFileSync(report, 'utf8').trim().split('\n').pop() : '';
      const [kib, user, system] = (last ?? '').split(' ').map(Number);
      rmSync(report, { force: true });
      if (![kib, user, system].every((value) => Number.isFinite(value))) {
        reject(new Error(`${argv.join(' ')}: no figures from ${TIME}\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({
        code: code ?? -1,
        seconds,
        peakRssMiB: (kib as number) / 1024,
        cpuSeconds: (user as number) + (system as number),
        stderr,
      });
    });
  });
}
