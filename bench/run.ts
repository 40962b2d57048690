// Benchmarks Berth against the peer registries installed by scripts/install-bench-peers.sh,
// one server after another, each on a fresh data directory. See docs/benchmarks.md.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { BlobSource, concurrentStreams, singleStream, type BlobContext } from './blobs.js';
import { Client } from './http.js';
import { freeGiB, measureMachine, type MachineLimits } from './machine.js';
import { newestProfile, summariseProfile, type Window } from './profile.js';
import { OCI_MANIFEST, pushImage } from './push.js';
import { requestRate } from './rates.js';
import { writeResults, type Metric, type Run, type ServerOutcome } from './report.js';
import {
  cpuSeconds,
  peakRssMiB,
  resetPeakRss,
  ROOT,
  serversUnderTest,
  startServer,
  stopServer,
  type RunningServer,
  type ServerSpec,
} from './servers.js';
import { skopeoCopies, skopeoImage } from './skopeo.js';
import { GiB, MiB } from './stats.js';
import { morningSurge } from './surge.js';
import { checkTargets } from './targets.js';
import { tagListing } from './tags.js';

const CACHE_DIR = process.env.BERTH_CACHE ?? path.join(os.homedir(), '.cache', 'berth');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** BERTH_BENCH_QUICK=1: smaller everything, for trying the harness out, not for results. */
const quick = process.env.BERTH_BENCH_QUICK === '1';
const BLOB_SIZES = [
  { bytes: MiB, label: '1 MiB', repetitions: 21, rounds: 5 },
  { bytes: 10 * MiB, label: '10 MiB', repetitions: 7, rounds: 3 },
  { bytes: 100 * MiB, label: '100 MiB', repetitions: 3, rounds: 2 },
  { bytes: GiB, label: '1 GiB', repetitions: 2, rounds: 1 },
].slice(0, quick ? 3 : 4);
const STREAMS = 8;
const RATE_CONCURRENCIES = [1, 32, 256];
const RATE_SECONDS = quick ? 2 : 5;
const TAG_COUNT = quick ? 2000 : 10_000;
const TAG_CONCURRENCY = 8;
const SURGE_CLIENTS = Number(process.env.BERTH_BENCH_SURGE_CLIENTS ?? (quick ? 50 : 200));
const SURGE_MIB = Number(process.env.BERTH_BENCH_SURGE_MIB ?? (quick ? 100 : 500));
/** The surge image's five layers, as shares of its size. */
const SURGE_LAYER_SHARES = [0.4, 0.3, 0.15, 0.1, 0.05];
const SURGE_PARALLEL_LAYERS = 3;
const SKOPEO_REPETITIONS = 3;
/** Room the 1 GiB blobs need on the data disk: ten of them, and some to spare. */
const LARGE_BLOB_GIB = 14;

const GROUPS = ['blobs', 'manifests', 'surge', 'tags', 'skopeo'] as const;
type Group = (typeof GROUPS)[number];

const profiling = process.env.BERTH_BENCH_PROFILE === '1';
const only = listFromEnv('BERTH_BENCH_ONLY') ?? (profiling ? ['berth'] : undefined);
const groups = (listFromEnv('BERTH_BENCH_WORKLOADS') ?? [...GROUPS]) as Group[];

function listFromEnv(name: string): string[] | undefined {
  const value = process.env[name];
  return value ? value.split(',').map((s) => s.trim()) : undefined;
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Every number of the run, and the time windows in which each Berth workload ran. */
class Recorder {
  readonly metrics: Metric[] = [];
  readonly windows: Window[] = [];
  readonly notes: string[] = [];
  section = '';

  record(workload: string, unit: string, higherIsBetter: boolean, server: string, value: number) {
    let metric = this.metrics.find((m) => m.workload === workload && m.unit === unit);
    if (!metric) {
      metric = { section: this.section, workload, unit, higherIsBetter, values: {} };
      this.metrics.push(metric);
    }
    metric.values[server] = value;
  }

  window(workload: string, start: bigint, end = process.hrtime.bigint()): void {
    this.windows.push({ workload, startUs: Number(start / 1000n), endUs: Number(end / 1000n) });
  }
}

/** One server's run: each workload group on its own, so that one failing leaves the others. */
class ServerBench {
  readonly client: Client;
  private readonly pid: number;

  constructor(
    readonly spec: ServerSpec,
    readonly server: RunningServer,
    readonly recorder: Recorder,
    readonly machine: MachineLimits,
  ) {
    this.client = new Client(server.base);
    this.pid = server.process.pid!;
  }

  cpu = (): number => cpuSeconds(this.pid);

  record(workload: string, unit: string, higherIsBetter: boolean, value: number): void {
    this.recorder.record(workload, unit, higherIsBetter, this.spec.id, value);
  }

  /** Windows are kept for Berth only: it is the one whose profile they slice. */
  window(workload: string, start: bigint): void {
    if (this.spec.id === 'berth') this.recorder.window(workload, start);
  }

  async blobs(source: BlobSource): Promise<void> {
    this.recorder.section = 'Blobs';
    const context: BlobContext = {
      client: this.client,
      base: this.server.base,
      serverCpu: this.cpu,
    };
    const moved = { push: { bytes: 0, cpuSeconds: 0 }, pull: { bytes: 0, cpuSeconds: 0 } };
    for (const size of BLOB_SIZES) {
      if (size.bytes >= GiB && freeGiB(os.tmpdir()) < LARGE_BLOB_GIB) {
        this.recorder.notes.push(`${this.spec.label}: ${size.label} blobs skipped, disk too full`);
        continue;
      }
      for (const streams of [1, STREAMS]) {
        const name = `${size.label}, ${streams} stream${streams > 1 ? 's' : ''}`;
        context.onMeasured = (direction, start) => this.window(`blob ${direction} ${name}`, start);
        const result =
          streams === 1
            ? await singleStream(context, source, size.bytes, size.repetitions)
            : await concurrentStreams(context, source, size.bytes, streams, size.rounds);
        this.record(`blob push ${name}`, 'MiB/s', true, result.pushMiBps);
        this.record(`blob pull ${name}`, 'MiB/s', true, result.pullMiBps);
        for (const direction of ['push', 'pull'] as const) {
          moved[direction].bytes += result[direction].bytes;
          moved[direction].cpuSeconds += result[direction].cpuSeconds;
        }
        log(`${this.spec.id}: ${name} blobs done`);
      }
    }

    for (const direction of ['push', 'pull'] as const) {
      const { bytes, cpuSeconds } = moved[direction];
      this.record(
        `server CPU per GiB ${direction}ed, all blob workloads`,
        's/GiB',
        false,
        cpuSeconds / (bytes / GiB),
      );
    }
  }

  async manifests(): Promise<void> {
    this.recorder.section = 'Manifests';
    const repo = 'bench/manifests';
    await pushImage(this.client, repo, 'latest', [1024]);
    for (const method of ['GET', 'HEAD'] as const) {
      for (const concurrency of RATE_CONCURRENCIES) {
        const name = `manifest ${method} by tag, ${concurrency} client${concurrency > 1 ? 's' : ''}`;
        const start = process.hrtime.bigint();
        const result = await requestRate(
          this.server.base,
          { method, path: `/v2/${repo}/manifests/latest`, headers: { accept: OCI_MANIFEST } },
          concurrency,
          RATE_SECONDS,
          this.cpu,
        );
        this.window(name, start);
        this.record(name, 'req/s', true, result.requestsPerSecond);
        this.record(name, 'p50 ms', false, result.p50Ms);
        this.record(name, 'p99 ms', false, result.p99Ms);
        this.record(name, 'server CPU µs/req', false, result.cpuMsPerRequest * 1000);
        log(`${this.spec.id}: ${name} done`);
      }
    }
  }

  async surge(): Promise<void> {
    this.recorder.section = 'Morning surge';
    const repo = 'bench/workspace';
    const layerSizes = SURGE_LAYER_SHARES.map((share) => Math.round(share * SURGE_MIB * MiB));
    const image = await pushImage(this.client, repo, 'latest', layerSizes);

    resetPeakRss(this.pid);
    const start = process.hrtime.bigint();
    const result = await morningSurge(
      this.server.base,
      repo,
      'latest',
      image,
      { clients: SURGE_CLIENTS, parallelLayers: SURGE_PARALLEL_LAYERS },
      this.cpu,
    );
    this.window('morning surge', start);
    const name = `${SURGE_CLIENTS} clients pull one ${SURGE_MIB} MiB image`;
    this.record(`${name}: total time`, 's', false, result.totalSeconds);
    this.record(`${name}: aggregate`, 'MiB/s', true, result.aggregateMiBps);
    this.record(`${name}: p50 time to first byte`, 'ms', false, result.p50TtfbMs);
    this.record(`${name}: p99 time to first byte`, 'ms', false, result.p99TtfbMs);
    this.record(`${name}: clients that failed`, 'clients', false, result.errors);
    this.record(`${name}: server CPU per GiB sent`, 's/GiB', false, result.cpuSecondsPerGiB);
    const rss = peakRssMiB(this.pid);
    if (rss !== undefined) this.record(`${name}: server peak RSS`, 'MiB', false, rss);
    if (result.firstError) {
      this.recorder.notes.push(`${this.spec.label}, surge: first failure: ${result.firstError}`);
    }
    log(`${this.spec.id}: surge done in ${result.totalSeconds.toFixed(1)} s`);
  }

  async tags(): Promise<void> {
    this.recorder.section = 'Tags';
    const start = process.hrtime.bigint();
    const tags = await tagListing(this.client, TAG_COUNT, TAG_CONCURRENCY);
    this.window('tags', start);
    this.record(
      `tag one manifest ${TAG_COUNT} times, ${TAG_CONCURRENCY} in flight`,
      'tags/s',
      true,
      tags.tagsPerSecond,
    );
    this.record(`list ${TAG_COUNT} tags (full listing)`, 'ms', false, tags.listMs);
    log(`${this.spec.id}: tags done`);
  }

  async skopeo(): Promise<void> {
    this.recorder.section = 'End to end: skopeo';
    const image = skopeoImage(CACHE_DIR);
    if (typeof image === 'string') {
      this.recorder.notes.push(`skopeo copies skipped: ${image}`);
      return;
    }
    const start = process.hrtime.bigint();
    const result = await skopeoCopies(this.client, image, SKOPEO_REPETITIONS);
    this.window('skopeo copies', start);
    const size = `${Math.round(image.bytes / MiB)} MiB`;
    this.record(
      `skopeo copy of Debian 12 (${size}) into the registry`,
      's',
      false,
      result.inSeconds,
    );
    this.record(`skopeo copy of Debian 12 (${size}) out of it`, 's', false, result.outSeconds);
    log(`${this.spec.id}: skopeo done`);
  }
}

async function benchServer(
  spec: ServerSpec,
  recorder: Recorder,
  machine: MachineLimits,
  source: BlobSource,
): Promise<ServerOutcome> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `berth-bench-${spec.id}-`));
  const profileDir = path.join(dataDir, 'profile');
  const nodeFlags = profiling && spec.berth ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const server = await startServer(spec, dataDir, nodeFlags);
  const bench = new ServerBench(spec, server, recorder, machine);
  const failures: string[] = [];
  let peak = 0;
  try {
    recorder.section = 'Resources';
    bench.record('server RSS after start', 'MiB', false, peakRssMiB(server.process.pid!) ?? NaN);
    const work: Record<Group, () => Promise<void>> = {
      blobs: () => bench.blobs(source),
      manifests: () => bench.manifests(),
      surge: () => bench.surge(),
      tags: () => bench.tags(),
      skopeo: () => bench.skopeo(),
    };
    for (const group of groups) {
      resetPeakRss(server.process.pid!);
      try {
        await work[group]();
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        log(`${spec.id}: ${group} failed, ${detail}`);
        failures.push(`${group}: ${detail}`);
      }
      peak = Math.max(peak, peakRssMiB(server.process.pid!) ?? 0);
    }
    recorder.section = 'Resources';
    bench.record('server peak RSS (VmHWM), whole run', 'MiB', false, peak);
  } finally {
    bench.client.close();
    await stopServer(server);
    if (nodeFlags.length > 0) {
      summariseProfile(
        newestProfile(profileDir),
        recorder.windows,
        path.join(RESULTS_DIR, 'profiles'),
      );
      log(`profiles written to ${path.join(RESULTS_DIR, 'profiles')}`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  return failures.length === 0
    ? { id: spec.id, label: spec.label, status: 'ok' }
    : { id: spec.id, label: spec.label, status: 'failed', detail: failures.join('; ') };
}

async function main(): Promise<void> {
  const started = new Date();
  log('measuring the machine');
  const machine = await measureMachine(os.tmpdir());
  log(
    `sha256 ${machine.sha256MiBps.toFixed(0)} MiB/s, loopback ${machine.loopbackMiBps.toFixed(0)} ` +
      `MiB/s, disk write ${machine.diskWriteMiBps.toFixed(0)} MiB/s, free ${machine.freeGiB.toFixed(0)} GiB`,
  );

  const recorder = new Recorder();
  const source = new BlobSource(BLOB_SIZES.map((s) => s.bytes));
  const outcomes: ServerOutcome[] = [];
  for (const spec of serversUnderTest()) {
    if (only && !only.includes(spec.id)) continue;
    const missing = spec.missing();
    if (missing) {
      log(`${spec.id}: skipped, ${missing}`);
      outcomes.push({ id: spec.id, label: spec.label, status: 'skipped', detail: missing });
      continue;
    }
    log(`${spec.id}: starting`);
    try {
      outcomes.push(await benchServer(spec, recorder, machine, source));
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      log(`${spec.id}: failed, ${detail}`);
      outcomes.push({ id: spec.id, label: spec.label, status: 'failed', detail });
    }
  }

  const run: Run = {
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine,
    plan: {
      'blob sizes (1 stream: repetitions; 8 streams: rounds)': BLOB_SIZES.map(
        (s) => `${s.label} (${s.repetitions}; ${s.rounds})`,
      ).join(', '),
      'request rates': `${RATE_SECONDS} s per point after 1 s of warm-up`,
      'morning surge':
        `${SURGE_CLIENTS} clients, a ${SURGE_MIB} MiB image of ${SURGE_LAYER_SHARES.length} ` +
        `layers, ${SURGE_PARALLEL_LAYERS} layers at a time per client`,
      'workload groups': groups.join(', '),
    },
    servers: outcomes,
    metrics: recorder.metrics,
    targets: [],
    notes: recorder.notes,
  };
  run.targets = checkTargets(run);
  if (profiling) {
    log('profile run: bench/results/latest.* left as they were');
  } else {
    writeResults(RESULTS_DIR, run);
    process.stdout.write(`${path.join(RESULTS_DIR, 'latest.md')} written\n`);
  }
  for (const target of run.targets) {
    log(`target ${target.met ? 'met' : 'NOT met'}: ${target.target}: ${target.detail}`);
  }
  if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
