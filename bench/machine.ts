// What this machine allows, measured in the same run as the servers: the ceilings the blob
// numbers are read against.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { median, MiB } from './stats.js';

export interface MachineLimits {
  cpus: number;
  cpuModel: string;
  node: string;
  /** node crypto over 256 MiB in 1 MiB updates, one core. */
  sha256MiBps: number;
  /** One TCP stream over 127.0.0.1 between two Node processes, 1 MiB writes and reads. */
  loopbackMiBps: number;
  /** 1 GiB written in 1 MiB writes, then fsync: what a durable push can reach. */
  diskWriteMiBps: number;
  /** The same file read back from the page cache, where a pull of a fresh blob reads it. */
  cachedReadMiBps: number;
  /** The same file read with O_DIRECT (dd), bypassing the page cache. */
  diskReadMiBps?: number;
  /** Free space where the servers keep their data, in GiB, before the run. */
  freeGiB: number;
}

export async function measureMachine(dataRoot: string): Promise<MachineLimits> {
  const cpus = os.cpus();
  const disk = await diskThroughput(dataRoot);

  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    sha256MiBps: sha256MiBps(),
    loopbackMiBps: median([await loopbackMiBps(), await loopbackMiBps(), await loopbackMiBps()]),
    ...disk,
    freeGiB: freeGiB(dataRoot),
  };
}

export function freeGiB(dir: string): number {
  const stats = statfsSync(dir);
  return (stats.bavail * stats.bsize) / (1024 * MiB);
}

function sha256MiBps(): number {
  const chunk = Buffer.alloc(MiB, 0x5a);
  const hash = createHash('sha256');
  const start = process.hrtime.bigint();
  for (let i = 0; i < 256; i++) hash.update(chunk);
  hash.digest();

  return 256 / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** A child process sends 2 GiB from memory over one connection; this process counts it. */
const SENDER = `
const net = require('node:net');
const chunk = Buffer.alloc(1 << 20, 0x5a);
const server = net.createServer((socket) => {
  let left = 2048;
  const send = () => {
    while (left > 0) { left--; if (!socket.write(chunk)) return socket.once('drain', send); }
    socket.end();
  };
  send();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function loopbackMiBps(): Promise<number> {
  const child = spawn(process.execPath, ['-e', SENDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
      child.once('exit', () => reject(new Error('the loopback sender exited')));
    });

    let bytes = 0;
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({
        host: '127.0.0.1',
        port,
        onread: {
          buffer: Buffer.allocUnsafe(MiB),
          callback: (length: number) => {
            bytes += length;
            return true;
          },
        },
      });
      socket.once('end', resolve).once('error', reject);
    });

    return bytes / MiB / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    child.kill();
  }
}

async function diskThroughput(
  dir: string,
): Promise<Pick<MachineLimits, 'diskWriteMiBps' | 'cachedReadMiBps' | 'diskReadMiBps'>> {
  const file = path.join(dir, `berth-bench-disk-${process.pid}`);
  const chunk = Buffer.alloc(MiB, 0x5a);
  const size = 1024;
  try {
    let start = process.hrtime.bigint();
    const out = openSync(file, 'w');
    for (let i = 0; i < size; i++) writeSync(out, chunk);
    fsyncSync(out);
    closeSync(out);
    const diskWriteMiBps = size / (Number(process.hrtime.bigint() - start) / 1e9);

    start = process.hrtime.bigint();
    const input = openSync(file, 'r');
    while (readSync(input, chunk) > 0);
    closeSync(input);
    const cachedReadMiBps = size / (Number(process.hrtime.bigint() - start) / 1e9);

    return { diskWriteMiBps, cachedReadMiBps, diskReadMiBps: await directReadMiBps(file) };
  } finally {
    rmSync(file, { force: true });
  }
}

/** dd reports its own rate; O_DIRECT needs aligned buffers, which Node does not promise. */
async function directReadMiBps(file: string): Promise<number | undefined> {
  try {
    const { stderr } = await promisify(execFile)('dd', [
      `if=${file}`,
      'of=/dev/null',
      'bs=1M',
      'iflag=direct',
    ]);
    const match = /copied, ([\d.]+) s/.exec(stderr);

    return match ? 1024 / Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
