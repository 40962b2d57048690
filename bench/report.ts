// Turns a benchmark run into bench/results/latest.json and latest.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Metric {
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

export interface Run {
  startedAt: string;
  durationSeconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    sha256MiBps: number;
  };
  servers: ServerOutcome[];
  metrics: Metric[];
}

function format(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);

  return value.toFixed(2);
}

/** Berth's value over the peer's: above 1 means Berth's number is larger, whatever the unit. */
function ratio(metric: Metric, peer: string): string {
  const berth = metric.values.berth;
  const other = metric.values[peer];
  if (berth === undefined || other === undefined || other === 0) return '–';

  return `${(berth / other).toFixed(2)}×`;
}

export function renderMarkdown(run: Run): string {
  const peers = run.servers.filter((s) => s.id !== 'berth');
  const header = [
    'workload',
    'unit',
    'better',
    ...run.servers.map((s) => s.label),
    ...peers.map((p) => `Berth ÷ ${p.label}`),
  ];
  const rows = run.metrics.map((m) => [
    m.workload,
    m.unit,
    m.higherIsBetter ? 'higher' : 'lower',
    ...run.servers.map((s) => format(m.values[s.id])),
    ...peers.map((p) => ratio(m, p.id)),
  ]);
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
  const servers = run.servers.map(
    (s) => `- ${s.label}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`,
  );
  const m = run.machine;

  return [
    '# Berth benchmark: latest run',
    '',
    `Run ${run.startedAt}, ${Math.round(run.durationSeconds)} s; ${m.cpus} × ${m.cpuModel};`,
    `Node ${m.node}; sha256 (node crypto, 256 MiB): ${format(m.sha256MiBps)} MiB/s.`,
    'Client and servers share the machine; all traffic is on 127.0.0.1.',
    '',
    ...table,
    '',
    'Ratios are Berth ÷ peer: above 1 means Berth is faster where higher is better,',
    'and slower (or bigger) where lower is better.',
    '',
    ...servers,
    '',
  ].join('\n');
}

export function writeResults(dir: string, run: Run): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(path.join(dir, 'latest.md'), renderMarkdown(run));
}
