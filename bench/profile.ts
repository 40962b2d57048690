// Turns Berth's V8 CPU profile (node --cpu-prof) into one summary per workload: the profile
// covers the whole run, and each workload's samples are picked out by the time it ran. V8's
// sample timestamps and process.hrtime() read the same monotonic clock.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { renderFlameGraph, type FlameNode } from './flamegraph.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of the run in hrtime microseconds, named after the workload running then. */
export interface Window {
  workload: string;
  startUs: number;
  endUs: number;
}

const TOP_FUNCTIONS = 25;
const TOP_BERTH_FUNCTIONS = 15;

export function newestProfile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);

  return path.join(dir, files.sort().at(-1)!);
}

/** Writes `<workload>.md` and `<workload>.svg` per workload, and README.md listing them. */
export function summariseProfile(file: string, windows: Window[], outDir: string): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const index: string[] = [];
  for (const workload of [...new Set(windows.map((w) => w.workload))]) {
    const mine = windows.filter((w) => w.workload === workload);
    const samples = samplesIn(profile, mine);
    const slug = workload
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase();
    const summary = summarise(samples, byId, parents);
    writeFileSync(path.join(outDir, `${slug}.md`), renderSummary(workload, summary, slug));
    writeFileSync(path.join(outDir, `${slug}.svg`), renderFlameGraph(workload, summary.tree));
    index.push(
      `| [${workload}](${slug}.md) | ${(summary.busyMs / 1000).toFixed(1)} | ` +
        `${summary.areas
          .slice(0, 3)
          .map(([area, ms]) => `${area} ${share(ms, summary.busyMs)}`)
          .join(', ')} |`,
    );
  }

  writeFileSync(
    path.join(outDir, 'README.md'),
    [
      '# Berth CPU profiles, by workload',
      '',
      'From `npm run bench:profile`: Berth runs under `node --cpu-prof` and each workload gets',
      'the samples taken while it ran. Busy is main-thread time that was not idle; file reads and',
      "writes on libuv's thread pool, and the kernel's side of socket I/O, are not sampled.",
      '',
      '| workload | busy s | largest areas (share of busy) |',
      '| --- | --- | --- |',
      ...index,
      '',
    ].join('\n'),
  );
}

/** [node id, duration in microseconds] of every sample inside the windows. */
function samplesIn(profile: CpuProfile, windows: Window[]): [number, number][] {
  const picked: [number, number][] = [];
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (windows.some((w) => time >= w.startUs && time <= w.endUs)) {
      picked.push([profile.samples[i]!, delta]);
    }
  }

  return picked;
}

interface Summary {
  totalMs: number;
  busyMs: number;
  areas: [string, number][];
  functions: [string, number][];
  berthTotals: [string, number][];
  tree: FlameNode;
}

function summarise(
  samples: [number, number][],
  byId: Map<number, ProfileNode>,
  parents: Map<number, number>,
): Summary {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const berthTotals = new Map<string, number>();
  const tree: FlameNode = { name: 'all', value: 0, children: new Map() };
  let totalMs = 0;
  let idleMs = 0;

  for (const [id, micros] of samples) {
    const ms = micros / 1000;
    const frame = byId.get(id)!.callFrame;
    totalMs += ms;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    add(areas, areaOf(frame), ms);
    add(functions, nameOf(frame), ms);

    const stack = stackOf(id, byId, parents);
    for (const name of new Set(stack.filter((f) => f.url.includes('/dist/')).map(nameOf))) {
      add(berthTotals, name, ms);
    }
    let node = tree;
    node.value += ms;
    for (const caller of stack) {
      const name = nameOf(caller);
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { name, value: 0, children: new Map() }));
      child.value += ms;
      node = child;
    }
  }

  return {
    totalMs,
    busyMs: totalMs - idleMs,
    areas: sorted(areas),
    functions: sorted(functions).slice(0, TOP_FUNCTIONS),
    berthTotals: sorted(berthTotals).slice(0, TOP_BERTH_FUNCTIONS),
    tree,
  };
}

/** Frames from the outermost caller to the sampled function, without the root. */
function stackOf(
  id: number,
  byId: Map<number, ProfileNode>,
  parents: Map<number, number>,
): CallFrame[] {
  const stack: CallFrame[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = byId.get(at)!.callFrame;
    if (frame.functionName !== '(root)') stack.push(frame);
  }

  return stack.reverse();
}

function areaOf(frame: CallFrame): string {
  const url = frame.url;
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist) return `Berth src/${dist[1]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:internal/streams')) return 'node streams';
  if (/^node:(_http|internal\/http)/.test(url)) return 'node http';
  if (url.startsWith('node:internal/crypto')) return 'node crypto (sha256)';
  if (url.startsWith('node:')) return 'node other';
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(program)') return 'V8 and native (program)';

  return 'native bindings (system calls)';
}

function nameOf(frame: CallFrame): string {
  const where = frame.url
    .replace(/^file:\/\/.*?\/dist\//, 'src/')
    .replace(/\.js$/, '.ts')
    .replace(/^file:\/\/.*node_modules\//, '');
  const line = frame.lineNumber >= 0 ? `:${frame.lineNumber + 1}` : '';

  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}${line}` : ''}`;
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function sorted(map: Map<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1]);
}

function share(ms: number, of: number): string {
  return `${((100 * ms) / of).toFixed(1)}%`;
}

function renderSummary(workload: string, summary: Summary, slug: string): string {
  const { busyMs, totalMs } = summary;
  const rows = (entries: [string, number][]) =>
    entries.map(([name, ms]) => `| ${share(ms, busyMs)} | ${ms.toFixed(0)} | \`${name}\` |`);

  return [
    `# ${workload}: where Berth's main thread spends its time`,
    '',
    `Sampled ${(totalMs / 1000).toFixed(1)} s, busy ${(busyMs / 1000).toFixed(1)} s ` +
      `(${share(busyMs, totalMs)}); the rest was idle, waiting for sockets, files or the client.`,
    `Flame graph: [${slug}.svg](${slug}.svg). Line numbers are those of the compiled JavaScript.`,
    '',
    '## By area (self time)',
    '',
    '| share of busy | ms | area |',
    '| --- | --- | --- |',
    ...summary.areas.map(([area, ms]) => `| ${share(ms, busyMs)} | ${ms.toFixed(0)} | ${area} |`),
    '',
    `## Top ${TOP_FUNCTIONS} functions by self time`,
    '',
    '| share of busy | ms | function |',
    '| --- | --- | --- |',
    ...rows(summary.functions),
    '',
    `## Berth's functions by total time (self and callees), top ${TOP_BERTH_FUNCTIONS}`,
    '',
    '| share of busy | ms | function |',
    '| --- | --- | --- |',
    ...rows(summary.berthTotals),
    '',
  ].join('\n');
}
