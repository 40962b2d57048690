// The scan benchmark (npm run bench:scan): `berth scan` against syft on the same images, the
// scan-app image (Debian, npm, PyPI and Go packages, 80 MB) and the large one (about 1 GB), both
// from scripts/build-test-images.sh. Each tool writes an SPDX 2.3 JSON document of the image,
// so both do the same job: read every layer, list the packages, write them out (Berth's other
// formats match advisories, which syft does not do). Per image: one warm-up run of each
// (page cache, and a check that both succeed), then BERTH_BENCH_SCAN_RUNS rounds (default 5)
// that alternate which tool goes first. Reports the median wall time, CPU time and peak RSS of
// each, and Berth's ratio to syft, in bench/results/scan.json and scan.md. See docs/benchmarks.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  berthCommand,
  measure,
  scanImage,
  staleBuild,
  syftCommand,
  syftVersion,
  SYFT_OFFLINE_ENV,
  type Measured,
  type ScanImage,
} from './scan-tools.js';
import { format } from './report.js';
import { ROOT } from './servers.js';
import { median } from './stats.js';

const IMAGES = ['scan-app', 'large'];
const RUNS = Number(process.env.BERTH_BENCH_SCAN_RUNS ?? 5);
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const TOOLS = ['berth', 'syft'] as const;
type Tool = (typeof TOOLS)[number];

interface ToolResult {
  /** Wall time of each measured run, in seconds. */
  seconds: number[];
  /** Peak RSS of each measured run, in MiB. */
  peakRssMiB: number[];
  /** User plus system CPU time of each measured run, in seconds. */
  cpuSeconds: number[];
  medianSeconds: number;
  medianPeakRssMiB: number;
  medianCpuSeconds: number;
  /** Package entries with a purl in the tool's SPDX document (the image itself left out). */
  packages: number;
}

interface ImageResult {
  image: string;
  digest: string;
  blobBytes: number;
  layers: number;
  berth: ToolResult;
  syft: ToolResult;
  /** Berth's median over syft's: below 1 means Berth is faster or smaller. */
  ratio: { seconds: number; peakRss: number; cpuSeconds: number };
}

interface ScanRun {
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string };
  syftVersion: string;
  runs: number;
  images: ImageResult[];
}

function log(message: string): void {
  process.stderr.write(`bench scan: ${message}\n`);
}

/** Runs one tool once on an image and checks that it succeeded. */
async function runOnce(tool: Tool, image: ScanImage, work: string): Promise<Measured> {
  const output = path.join(work, `${image.name}.${tool}.spdx.json`);
  // syft unpacks layers under TMPDIR; the work folder is removed at the end.
  const run =
    tool === 'berth'
      ? await measure(berthCommand(ROOT, image, output, { format: 'spdx' }))
      : await measure(syftCommand(image, output, 'spdx-json'), {
          cwd: work,
          env: { ...SYFT_OFFLINE_ENV, TMPDIR: work },
        });
  if (run.code !== 0) {
    throw new Error(`${tool} on ${image.name} exited ${run.code}: ${run.stderr.slice(-2000)}`);
  }

  return run;
}

function spdxPackages(file: string): number {
  const document = JSON.parse(readFileSync(file, 'utf8')) as {
    packages?: { externalRefs?: { referenceType: string; referenceLocator: string }[] }[];
  };

  return (document.packages ?? []).filter((item) =>
    (item.externalRefs ?? []).some(
      (ref) => ref.referenceType === 'purl' && !ref.referenceLocator.startsWith('pkg:oci/'),
    ),
  ).length;
}

async function benchImage(image: ScanImage, work: string): Promise<ImageResult> {
  const measured: Record<Tool, Measured[]> = { berth: [], syft: [] };
  const packages = {} as Record<Tool, number>;
  for (const tool of TOOLS) {
    await runOnce(tool, image, work);
    packages[tool] = spdxPackages(path.join(work, `${image.name}.${tool}.spdx.json`));
    log(`${image.name}: ${tool} warm-up done, ${packages[tool]} packages`);
  }

  for (let round = 0; round < RUNS; round++) {
    const order = round % 2 === 0 ? TOOLS : ([...TOOLS].reverse() as Tool[]);
    for (const tool of order) measured[tool].push(await runOnce(tool, image, work));
    log(`${image.name}: round ${round + 1} of ${RUNS} done`);
  }

  const summary = (tool: Tool): ToolResult => {
    const seconds = measured[tool].map((run) => run.seconds);
    const peakRssMiB = measured[tool].map((run) => run.peakRssMiB);
    const cpuSeconds = measured[tool].map((run) => run.cpuSeconds);

    return {
      seconds,
      peakRssMiB,
      cpuSeconds,
      medianSeconds: median(seconds),
      medianPeakRssMiB: median(peakRssMiB),
      medianCpuSeconds: median(cpuSeconds),
      packages: packages[tool],
    };
  };
  const berth = summary('berth');
  const syft = summary('syft');

  return {
    image: image.name,
    digest: image.digest,
    blobBytes: image.blobBytes,
    layers: image.layers,
    berth,
    syft,
    ratio: {
      seconds: berth.medianSeconds / syft.medianSeconds,
      peakRss: berth.medianPeakRssMiB / syft.medianPeakRssMiB,
      cpuSeconds: berth.medianCpuSeconds / syft.medianCpuSeconds,
    },
  };
}

function renderScanMarkdown(run: ScanRun): string {
  const m = run.machine;
  const rows = run.images.map((result) => {
    const size = `${(result.blobBytes / 1e6).toFixed(0)} MB, ${result.layers} layers`;

    return [
      `${result.image} (${size})`,
      format(result.berth.medianSeconds),
      format(result.syft.medianSeconds),
      `${result.ratio.seconds.toFixed(2)}×`,
      format(result.berth.medianCpuSeconds),
      format(result.syft.medianCpuSeconds),
      `${result.ratio.cpuSeconds.toFixed(2)}×`,
      format(result.berth.medianPeakRssMiB),
      format(result.syft.medianPeakRssMiB),
      `${result.ratio.peakRss.toFixed(2)}×`,
      `${result.berth.packages} / ${result.syft.packages}`,
    ];
  });
  const header = [
    'image',
    'Berth s',
    'syft s',
    'Berth ÷ syft',
    'Berth CPU s',
    'syft CPU s',
    'Berth ÷ syft',
    'Berth peak RSS MiB',
    'syft peak RSS MiB',
    'Berth ÷ syft',
    'packages (Berth / syft)',
  ];

  return [
    '# Berth scan benchmark: latest run',
    '',
    `Run ${run.startedAt}, ${Math.round(run.durationSeconds)} s; ${m.cpus} × ${m.cpuModel}; ` +
      `Node ${m.node}; syft ${run.syftVersion}.`,
    '',
    `\`berth scan oci:DIR:TAG -f spdx\` against \`syft scan oci-dir:DIR -o spdx-json\`, offline, ` +
      `${run.runs} runs each after a warm-up, alternating which goes first; medians of wall ` +
      'time, of CPU time (user + system) and of peak RSS (/usr/bin/time). Ratios below 1 mean ' +
      'Berth is faster or smaller.',
    '',
    [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n'),
    '',
    'Packages are the SPDX package entries with a purl, the image itself left out: a Go module',
    'in two binaries counts twice. docs/scanning-accuracy.md compares the two inventories',
    'package by package.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const stale = staleBuild(ROOT);
  if (stale) throw new Error(stale);
  const version = syftVersion();

  const work = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-scan-'));
  const results: ImageResult[] = [];
  try {
    for (const name of IMAGES) results.push(await benchImage(scanImage(name), work));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const cpus = os.cpus();
  const run: ScanRun = {
    startedAt: started.toISOString(),
    durationSeconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      node: process.version,
    },
    syftVersion: version,
    runs: RUNS,
    images: results,
  };
  writeFileSync(path.join(RESULTS_DIR, 'scan.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(path.join(RESULTS_DIR, 'scan.md'), renderScanMarkdown(run));
  process.stdout.write(`${path.join(RESULTS_DIR, 'scan.md')} written\n`);
}

main().catch((err) => {
  process.stderr.write(`bench scan: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
