// Blob push and pull throughput, one stream at a time and several at once.
import { createHash, randomBytes, type Hash } from 'node:crypto';

import type { Client } from './http.js';
import { pushBlob } from './push.js';
import { elapsedMs, median, MiB } from './stats.js';
import { WireConnection } from './wire.js';

/** Bytes at the end of each blob that make it unique. */
const SUFFIX_BYTES = 16;
/** Pull connections read up to this much per system call. */
const PULL_READ_BUFFER = MiB;

export interface Blob {
  digest: string;
  size: number;
  /** The body: a shared prefix and the blob's own suffix. */
  parts: Buffer[];
}

/**
 * Blob contents for the throughput workloads. All blobs share one random body and differ in their
 * last 16 bytes, so eight distinct 1 GiB blobs need 1 GiB of client memory, and their digests
 * come from one pass of sha256 over the body: the hash state at the end of each size's prefix is
 * kept and only the suffix is hashed per blob.
 */
export class BlobSource {
  private readonly body: Buffer;
  private readonly prefixHashes = new Map<number, Hash>();
  private counter = 0;

  constructor(sizes: number[]) {
    const ascending = [...new Set(sizes)].sort((a, b) => a - b);
    this.body = randomBytes(ascending.at(-1)! - SUFFIX_BYTES);

    const hash = createHash('sha256');
    let hashed = 0;
    for (const size of ascending) {
      hash.update(this.body.subarray(hashed, size - SUFFIX_BYTES));
      hashed = size - SUFFIX_BYTES;
      this.prefixHashes.set(size, hash.copy());
    }
  }

  next(size: number): Blob {
    const prefix = this.prefixHashes.get(size);
    if (!prefix) throw new Error(`no blobs of ${size} bytes were prepared`);

    const suffix = randomBytes(SUFFIX_BYTES);
    suffix.writeUInt32BE(this.counter++, 0);
    const digest = `sha256:${prefix.copy().update(suffix).digest('hex')}`;

    return { digest, size, parts: [this.body.subarray(0, size - SUFFIX_BYTES), suffix] };
  }
}

export interface BlobContext {
  client: Client;
  base: string;
  /** CPU seconds the server has used so far. */
  serverCpu: () => number;
  /** Told when each timed push or pull began, once it has ended. */
  onMeasured?: (direction: Direction, start: bigint) => void;
}

type Direction = 'push' | 'pull';

export interface BlobResult extends Record<Direction, Movement> {
  pushMiBps: number;
  pullMiBps: number;
}

/** Bytes moved in one direction over a workload, and the server CPU seconds it took. */
export interface Movement {
  bytes: number;
  cpuSeconds: number;
}

/**
 * One stream: each of `repetitions` distinct blobs is pushed (monolithic POST + PUT), then pulled
 * until its last byte. The median of each direction, in MiB/s. The first blob is pulled once
 * more, untimed, and its digest checked.
 */
export async function singleStream(
  context: BlobContext,
  source: BlobSource,
  size: number,
  repetitions: number,
): Promise<BlobResult> {
  const repo = `bench/blob-${size}`;
  const connection = WireConnection.forBase(context.base, PULL_READ_BUFFER);
  const push: number[] = [];
  const pull: number[] = [];
  const moved = { push: movement(), pull: movement() };
  try {
    for (let i = 0; i < repetitions; i++) {
      const blob = source.next(size);
      push.push(await measured(context, 'push', moved, size, () => pushOne(context, repo, blob)));
      pull.push(
        await measured(context, 'pull', moved, size, () => pullOne(connection, repo, blob)),
      );
      if (i === 0) await verifyPull(connection, repo, blob);
    }
  } finally {
    connection.close();
  }

  return { pushMiBps: median(push), pullMiBps: median(pull), ...moved };
}

/**
 * `streams` blobs pushed at once, then pulled at once, `rounds` times: the aggregate MiB/s of
 * each round, median over rounds.
 */
export async function concurrentStreams(
  context: BlobContext,
  source: BlobSource,
  size: number,
  streams: number,
  rounds: number,
): Promise<BlobResult> {
  const repo = `bench/blob-${size}-x${streams}`;
  const connections = Array.from({ length: streams }, () =>
    WireConnection.forBase(context.base, PULL_READ_BUFFER),
  );
  const push: number[] = [];
  const pull: number[] = [];
  const moved = { push: movement(), pull: movement() };
  try {
    for (let round = 0; round < rounds; round++) {
      const blobs = Array.from({ length: streams }, () => source.next(size));
      const total = size * streams;
      push.push(
        await measured(context, 'push', moved, total, () =>
          Promise.all(blobs.map((blob) => pushOne(context, repo, blob))),
        ),
      );
      pull.push(
        await measured(context, 'pull', moved, total, () =>
          Promise.all(blobs.map((blob, i) => pullOne(connections[i]!, repo, blob))),
        ),
      );
    }
  } finally {
    for (const connection of connections) connection.close();
  }

  return { pushMiBps: median(push), pullMiBps: median(pull), ...moved };
}

function movement(): Movement {
  return { bytes: 0, cpuSeconds: 0 };
}

/** Runs `work`, adds its bytes and the server's CPU time to `moved`, and returns MiB/s. */
async function measured(
  context: BlobContext,
  direction: Direction,
  moved: Record<Direction, Movement>,
  bytes: number,
  work: () => Promise<unknown>,
): Promise<number> {
  const cpuBefore = context.serverCpu();
  const start = process.hrtime.bigint();
  await work();
  const ms = elapsedMs(start);
  context.onMeasured?.(direction, start);
  moved[direction].cpuSeconds += context.serverCpu() - cpuBefore;
  moved[direction].bytes += bytes;

  return bytes / MiB / (ms / 1000);
}

async function pushOne(context: BlobContext, repo: string, blob: Blob): Promise<void> {
  await pushBlob(context.client, repo, blob.parts, blob.digest);
}

async function pullOne(connection: WireConnection, repo: string, blob: Blob): Promise<void> {
  const res = await connection.expect(200, { path: `/v2/${repo}/blobs/${blob.digest}` });
  if (res.bytes !== blob.size) throw new Error(`pulled ${res.bytes} of ${blob.size} bytes`);
}

async function verifyPull(connection: WireConnection, repo: string, blob: Blob): Promise<void> {
  const hash = createHash('sha256');
  await connection.expect(200, {
    path: `/v2/${repo}/blobs/${blob.digest}`,
    onBody: (piece) => hash.update(piece),
  });
  const digest = `sha256:${hash.digest('hex')}`;
  if (digest !== blob.digest) throw new Error(`pulled ${blob.digest} but got ${digest}`);
}
