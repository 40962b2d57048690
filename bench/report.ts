// Turns a benchmark run into bench/results/latest.json, latest.md and the chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { writeChart } from './chart.js';
import type { MachineLimits } from './machine.js';

export interface Metric {
  section: string;
  workload: string;
  unit: string;
  higherIsBetter: boolean;
  /** Server id to value; a server that did not run or failed has no entry. */
  values: Record<string, number>;
}

export interface ServerOutcome {
  id: string;
  label: string;
  status: 'ok' | 'skipped' | 'failed';
  detail?: string;
}

export interface TargetCheck {
  target: string;
  met: boolean;
  detail: string;
}

export interface Run {
  startedAt: string;
  durationSeconds: number;
  machine: MachineLimits;
  /** What was run, where it differs from run to run (sizes tuned by environment variables). */
  plan: Record<string, string | number>;
  servers: ServerOutcome[];
  metrics: Metric[];
  targets: TargetCheck[];
  notes: string[];
}

export function format(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  if (value === 0) return '0';

  return value.toFixed(2);
}

/** Berth's value over the peer's: above 1 means Berth's number is larger, whatever the unit. */
export function ratio(metric: Metric, peer: string): number | undefined {
  const berth = metric.values.berth;
  const other = metric.values[peer];
  if (berth === undefined || other === undefined || other === 0) return undefined;

  return berth / other;
}

function ratioText(metric: Metric, peer: string): string {
  const value = ratio(metric, peer);
  return value === undefined ? '–' : `${value.toFixed(2)}×`;
}

export function renderMarkdown(run: Run): string {
  const peers = run.servers.filter((s) => s.id !== 'berth');
  const m = run.machine;
  const sections = [...new Set(run.metrics.map((metric) => metric.section))];

  return [
    '# Berth benchmark: latest run',
    '',
    `Run ${run.startedAt}, ${Math.round(run.durationSeconds)} s; ${m.cpus} × ${m.cpuModel}; ` +
      `Node ${m.node}. Client and servers share the machine; all traffic is on 127.0.0.1.`,
    '',
    '![Berth against each peer](latest.png)',
    '',
    '## Machine limits, measured in this run',
    '',
    '| what | MiB/s |',
    '| --- | --- |',
    `| sha256, node crypto, one core | ${format(m.sha256MiBps)} |`,
    `| loopback TCP, one stream between two Node processes | ${format(m.loopbackMiBps)} |`,
    `| disk write, 1 GiB then fsync | ${format(m.diskWriteMiBps)} |`,
    `| disk read, page cache (where a fresh blob is read from) | ${format(m.cachedReadMiBps)} |`,
    `| disk read, O_DIRECT | ${format(m.diskReadMiBps)} |`,
    '',
    ...Object.entries(run.plan).map(([key, value]) => `- ${key}: ${value}`),
    '',
    '## Targets',
    '',
    '| target | met | detail |',
    '| --- | --- | --- |',
    ...run.targets.map((t) => `| ${t.target} | ${t.met ? 'yes' : '**no**'} | ${t.detail} |`),
    '',
    ...sections.flatMap((section) => [
      `## ${section}`,
      '',
      table(
        run.metrics.filter((metric) => metric.section === section),
        run.servers,
        peers,
      ),
      '',
    ]),
    'Ratios are Berth ÷ peer: above 1 means Berth is faster where higher is better,',
    'and slower (or bigger) where lower is better.',
    '',
    ...run.servers.map((s) => `- ${s.label}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`),
    ...run.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}

function table(metrics: Metric[], servers: ServerOutcome[], peers: ServerOutcome[]): string {
  const header = [
    'workload',
    'unit',
    'better',
    ...servers.map((s) => s.label),
    ...peers.map((p) => `Berth ÷ ${p.label}`),
  ];
  const rows = metrics.map((m) => [
    m.workload,
    m.unit,
    m.higherIsBetter ? 'higher' : 'lower',
    ...servers.map((s) => format(m.values[s.id])),
    ...peers.map((p) => ratioText(m, p.id)),
  ]);

  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function writeResults(dir: string, run: Run): void {
  mkdirSync(dir, { recursive: true });
  const problem = writeChart(dir, run);
  if (problem) run.notes.push(problem);
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(path.join(dir, 'latest.md'), renderMarkdown(run));
}
