import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where scripts/install-test-tools.sh and scripts/build-test-images.sh put their output. */
export const cacheDir = process.env.BERTH_CACHE ?? path.join(os.homedir(), '.cache', 'berth');
export const toolsBin = path.join(cacheDir, 'tools', 'bin');
export const imagesDir = path.join(cacheDir, 'images');

/** Absolute path of a tool installed by scripts/install-test-tools.sh (crane, oras, regctl, …). */
export function tool(name: string): string {
  return path.join(toolsBin, name);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Resolve even when the command exits non-zero. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** Runs a command and collects its output; rejects on a non-zero exit unless allowed. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (result.code !== 0 && !options.allowFailure) {
        const line = [command, ...args].join(' ');
        reject(
          new Error(
            `${line} exited ${result.code}\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`,
          ),
        );
      } else {
        resolve(result);
      }
    });
    // A command may exit without reading its input; that EPIPE is not the test's failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export interface TestImage {
  name: string;
  tag: string;
  dir: string;
  reference: string;
  mediaType: string;
  digest: string;
  size: number;
  layers: number;
  manifests?: { digest: string; size: number; platform: Record<string, string>; layers: number }[];
}

/** The images built by scripts/build-test-images.sh, keyed by name. */
export function testImages(): Record<string, TestImage> {
  const file = path.join(imagesDir, 'images.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/build-test-images.sh`);

  const { images } = JSON.parse(readFileSync(file, 'utf8')) as { images: TestImage[] };

  return Object.fromEntries(images.map((image) => [image.name, image]));
}
