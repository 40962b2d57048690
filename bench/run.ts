// Benchmarks Berth against the peer registries installed by scripts/install-bench-peers.sh,
// one server after another, each on a fresh data directory. See docs/benchmarks.md.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Client } from './http.js';
import {
  renderMarkdown,
  writeResults,
  type Metric,
  type Run,
  type ServerOutcome,
} from './report.js';
import { peakRssMiB, ROOT, SERVERS, startServer, stopServer, type ServerSpec } from './servers.js';
import {
  blobThroughput,
  manifestGets,
  pushSmallImage,
  putManifest,
  tagListing,
} from './workloads.js';

const BLOB_SIZES: { mib: number; repetitions: number }[] = [
  { mib: 1, repetitions: 21 },
  { mib: 10, repetitions: 7 },
  { mib: 100, repetitions: 3 },
];
const CONCURRENCIES = [1, 32];
const RATE_SECONDS = 5;
const TAG_COUNT = 10_000;
const TAG_CONCURRENCY = 8;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** sha256 throughput of this machine: node crypto over 256 MiB in 1 MiB updates. */
function sha256MiBps(): number {
  const chunk = Buffer.alloc(1024 * 1024, 0x5a);
  const hash = createHash('sha256');
  const start = process.hrtime.bigint();
  for (let i = 0; i < 256; i++) hash.update(chunk);
  hash.digest();

  return 256 / (Number(process.hrtime.bigint() - start) / 1e9);
}

class Metrics {
  readonly list: Metric[] = [];

  record(workload: string, unit: string, higherIsBetter: boolean, server: string, value: number) {
    let metric = this.list.find((m) => m.workload === workload && m.unit === unit);
    if (!metric) {
      metric = { workload, unit, higherIsBetter, values: {} };
      this.list.push(metric);
    }
    metric.values[server] = value;
  }
}

async function benchServer(spec: ServerSpec, metrics: Metrics): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `berth-bench-${spec.id}-`));
  const server = await startServer(spec, dataDir);
  const client = new Client(server.base);
  const record = (workload: string, unit: string, higher: boolean, value: number) =>
    metrics.record(workload, unit, higher, spec.id, value);
  try {
    for (const { mib, repetitions } of BLOB_SIZES) {
      const result = await blobThroughput(client, mib, repetitions);
      record(`blob push ${mib} MiB, 1 stream`, 'MiB/s', true, result.pushMiBps);
      record(`blob pull ${mib} MiB, 1 stream`, 'MiB/s', true, result.pullMiBps);
      log(`${spec.id}: ${mib} MiB blobs done`);
    }

    const repo = 'bench/manifests';
    await putManifest(client, repo, 'latest', await pushSmallImage(client, repo));
    for (const concurrency of CONCURRENCIES) {
      const result = await manifestGets(client, repo, concurrency, RATE_SECONDS);
      const name = `manifest GET by tag, ${concurrency} client${concurrency > 1 ? 's' : ''}`;
      record(name, 'req/s', true, result.requestsPerSecond);
      record(name, 'p50 ms', false, result.p50Ms);
      record(name, 'p99 ms', false, result.p99Ms);
      log(`${spec.id}: ${concurrency}-client manifest GETs done`);
    }

    const tags = await tagListing(client, TAG_COUNT, TAG_CONCURRENCY);
    record(
      `tag one manifest ${TAG_COUNT} times, ${TAG_CONCURRENCY} in flight`,
      'tags/s',
      true,
      tags.tagsPerSecond,
    );
    record(`list ${TAG_COUNT} tags (full listing)`, 'ms', false, tags.listMs);
    log(`${spec.id}: tag listing done`);

    const rss = peakRssMiB(server.process.pid!);
    if (rss !== undefined) record('server peak RSS (VmHWM)', 'MiB', false, rss);
  } finally {
    client.close();
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const sha = sha256MiBps();
  log(`sha256: ${sha.toFixed(0)} MiB/s`);
  const metrics = new Metrics();
  const outcomes: ServerOutcome[] = [];
  for (const spec of SERVERS) {
    const missing = spec.missing();
    if (missing) {
      log(`${spec.id}: skipped, ${missing}`);
      outcomes.push({ id: spec.id, label: spec.label, status: 'skipped', detail: missing });
      continue;
    }
    log(`${spec.id}: starting`);
    try {
      await benchServer(spec, metrics);
      outcomes.push({ id: spec.id, label: spec.label, status: 'ok' });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      log(`${spec.id}: failed, ${detail}`);
      outcomes.push({ id: spec.id, label: spec.label, status: 'failed', detail });
    }
  }

  const cpus = os.cpus();
  const run: Run = {
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      node: process.version,
      sha256MiBps: sha,
    },
    servers: outcomes,
    metrics: metrics.list,
  };
  writeResults(path.join(ROOT, 'bench', 'results'), run);
  process.stdout.write(renderMarkdown(run));
  if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
