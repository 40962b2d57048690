// The chart of a run: for every workload, how Berth compares with each peer, drawn as SVG and
// converted to PNG with rsvg-convert (librsvg2-bin, installed by scripts/install-bench-peers.sh).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Metric, Run, ServerOutcome } from './report.js';

const RSVG = '/usr/bin/rsvg-convert';
const WIDTH = 1000;
const LABEL_WIDTH = 380;
const BAR = 9;
const GAP = 8;
const TOP = 70;
/** The axis runs from 1/8× to 8×, in powers of two; bars beyond are clipped and marked. */
const SPAN = 3;
const COLOURS = ['#3b6fb6', '#d9822b', '#5a9e4b', '#8e5ab5'];

/** Writes latest.svg and latest.png; returns what went wrong, if anything. */
export function writeChart(dir: string, run: Run): string | undefined {
  const svgFile = path.join(dir, 'latest.svg');
  writeFileSync(svgFile, renderChart(run));
  if (!existsSync(RSVG))
    return `${RSVG} is missing: latest.png was not drawn (scripts/install-bench-peers.sh)`;

  try {
    execFileSync(RSVG, ['--format', 'png', '--output', path.join(dir, 'latest.png'), svgFile]);
    return undefined;
  } catch (err) {
    return `rsvg-convert failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** How much better Berth is than `peer` on `metric`: above 1 is better, whatever the unit. */
function advantage(metric: Metric, peer: string): number | undefined {
  const berth = metric.values.berth;
  const other = metric.values[peer];
  if (berth === undefined || other === undefined || berth === 0 || other === 0) return undefined;

  return metric.higherIsBetter ? berth / other : other / berth;
}

export function renderChart(run: Run): string {
  const peers = run.servers.filter((s) => s.id !== 'berth' && s.status !== 'skipped');
  const metrics = run.metrics.filter((m) => peers.some((p) => advantage(m, p.id) !== undefined));
  const rowHeight = peers.length * BAR + GAP;
  const height = TOP + metrics.length * rowHeight + 40;
  const plotWidth = WIDTH - LABEL_WIDTH - 20;
  const xOf = (value: number) => {
    const clamped = Math.min(SPAN, Math.max(-SPAN, Math.log2(value)));
    return LABEL_WIDTH + ((clamped + SPAN) / (2 * SPAN)) * plotWidth;
  };

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" ` +
      'font-family="DejaVu Sans, sans-serif" font-size="11">',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">Berth compared with each peer ` +
      `(${escape(run.startedAt.slice(0, 10))})</text>`,
    '<text x="10" y="38" fill="#444">Right of 1× Berth is better: faster, or less time, memory ' +
      'or CPU. Log scale; bars end at 1/8× and 8×.</text>',
    ...legend(peers),
    ...axis(xOf, TOP, height - 30),
  ];
  metrics.forEach((metric, row) => {
    const y = TOP + row * rowHeight;
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + (peers.length * BAR) / 2 + 4}" text-anchor="end">` +
        `${escape(`${metric.workload} (${metric.unit})`)}</text>`,
    );
    peers.forEach((peer, i) => {
      const value = advantage(metric, peer.id);
      if (value === undefined) return;
      const from = xOf(1);
      const to = xOf(value);
      const clipped = Math.abs(Math.log2(value)) > SPAN ? ' ▸' : '';
      parts.push(
        `<rect x="${Math.min(from, to).toFixed(1)}" y="${y + i * BAR}" ` +
          `width="${Math.max(Math.abs(to - from), 1).toFixed(1)}" height="${BAR - 1}" ` +
          `fill="${COLOURS[i % COLOURS.length]}"/>`,
        `<text x="${(value >= 1 ? to + 3 : to - 3).toFixed(1)}" y="${y + i * BAR + BAR - 1}" ` +
          `font-size="9" text-anchor="${value >= 1 ? 'start' : 'end'}">` +
          `${value.toFixed(2)}×${clipped}</text>`,
      );
    });
  });
  parts.push('</svg>', '');

  return parts.join('\n');
}

function legend(peers: ServerOutcome[]): string[] {
  return peers.map((peer, i) => {
    const x = 10 + i * 300;
    return (
      `<rect x="${x}" y="48" width="12" height="10" fill="${COLOURS[i % COLOURS.length]}"/>` +
      `<text x="${x + 16}" y="57">Berth vs ${escape(peer.label)}</text>`
    );
  });
}

function axis(xOf: (value: number) => number, top: number, bottom: number): string[] {
  const lines: string[] = [];
  for (let power = -SPAN; power <= SPAN; power++) {
    const value = 2 ** power;
    const x = xOf(value).toFixed(1);
    const label = power < 0 ? `1/${2 ** -power}×` : `${value}×`;
    lines.push(
      `<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${bottom}" ` +
        `stroke="${power === 0 ? '#000' : '#ddd'}"/>`,
      `<text x="${x}" y="${bottom + 14}" text-anchor="middle">${label}</text>`,
    );
  }
  const target = xOf(1.5).toFixed(1);
  lines.push(
    `<line x1="${target}" y1="${top - 6}" x2="${target}" y2="${bottom}" stroke="#999" ` +
      'stroke-dasharray="3,3"/>',
    `<text x="${target}" y="${bottom + 26}" text-anchor="middle" fill="#666">1.5×</text>`,
  );

  return lines;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
