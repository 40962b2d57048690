// The portal with large data: how long a repository with 10,000 tags takes to open in Chromium,
// from navigation to the first page of tags on screen, cold (first visit) and warm (the app
// already loaded). Issue 5's goal is under a second. `npm run bench:portal` runs it; the
// results go to bench/results/portal.{json,md}.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { berthServer, ROOT, startServer, stopServer, type ServerSpec } from './servers.js';
import { elapsedMs, median } from './stats.js';

const TAGS = 10_000;
const RUNS = 7;
const REPOSITORY = 'bench/many';
const PASSWORD = 'bench-portal-password';
const credentials = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const chromiumPaths = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

/** Berth with signing in on (the portal needs it), so it is ready when /healthz answers. */
const berth: ServerSpec = {
  ...berthServer('berth', 'Berth', path.join(ROOT, 'bin', 'berth')),
  env: { BERTH_ADMIN_PASSWORD: PASSWORD, BERTH_SCANNING_ON_PUSH: 'false' },
  readyPath: '/healthz',
};

interface PortalResult {
  tags: number;
  runs: number;
  coldMs: number;
  warmMedianMs: number;
  warmMaxMs: number;
  apiPageMs: number;
  goalMs: number;
  met: boolean;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-portal-'));
  const server = await startServer(berth, dataDir);
  try {
    await seed(server.base);
    const result = await measure(server.base);
    write(result);
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One small image tagged TAGS times, 100 tags per push (the registry's `?tag=` limit). */
async function seed(base: string): Promise<void> {
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64' }));
  const layer = Buffer.from('not a real layer');
  for (const blob of [config, layer]) {
    await send(base, 'POST', `/v2/${REPOSITORY}/blobs/uploads/?digest=${digest(blob)}`, blob, 201);
  }

  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor(config, 'application/vnd.oci.image.config.v1+json'),
      layers: [descriptor(layer, 'application/vnd.oci.image.layer.v1.tar')],
    }),
  );
  for (let first = 0; first < TAGS; first += 100) {
    const tags = Array.from({ length: 100 }, (_, i) => `tag=${tagName(first + i)}`).join('&');
    await send(
      base,
      'PUT',
      `/v2/${REPOSITORY}/manifests/${digest(manifest)}?${tags}`,
      manifest,
      201,
    );
  }
}

async function measure(base: string): Promise<PortalResult> {
  const browser = await chromium.launch({
    executablePath: chromiumPaths.find((candidate) => existsSync(candidate)),
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    await signIn(page, base);

    const timings: number[] = [];
    for (let run = 0; run < RUNS; run++) timings.push(await openTags(page, base, run === 0));
    const [cold, ...warm] = timings as [number, ...number[]];
    const apiPageMs = await timeApiPage(base);
    const warmMedianMs = median(warm);

    return {
      tags: TAGS,
      runs: RUNS,
      coldMs: cold,
      warmMedianMs,
      warmMaxMs: Math.max(...warm),
      apiPageMs,
      goalMs: 1000,
      met: cold < 1000 && warmMedianMs < 1000,
    };
  } finally {
    await browser.close();
  }
}

async function signIn(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill('admin');
  await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

/**
 * Milliseconds from navigation to the first page of tags on screen. The first run loads the
 * app from a blank page (cold); later runs navigate within the loaded app (warm), as a click on
 * a link does: React Router follows popstate.
 */
async function openTags(page: Page, base: string, cold: boolean): Promise<number> {
  const target = `/repositories/${REPOSITORY}/-/tags`;
  const navigate = cold
    ? () => page.goto(`${base}${target}`)
    : () =>
        page.evaluate(
          `history.pushState({}, '', ${JSON.stringify(target)}); dispatchEvent(new PopStateEvent('popstate'))`,
        );
  await page.goto(cold ? 'about:blank' : `${base}/projects`);
  if (!cold) await page.getByRole('heading', { name: 'Projects' }).waitFor();

  const start = process.hrtime.bigint();
  await navigate();
  await page.getByText(`1–50 of ${TAGS.toLocaleString('en-US')} tags`).waitFor();

  return elapsedMs(start);
}

async function timeApiPage(base: string): Promise<number> {
  const timings: number[] = [];
  const url = `/api/v1/repositories/${encodeURIComponent(REPOSITORY)}/tags?pageSize=50`;
  for (let i = 0; i < 5; i++) {
    const start = process.hrtime.bigint();
    await send(base, 'GET', url, undefined, 200);
    timings.push(elapsedMs(start));
  }

  return median(timings);
}

function write(result: PortalResult): void {
  const dir = path.join(ROOT, 'bench', 'results');
  writeFileSync(path.join(dir, 'portal.json'), `${JSON.stringify(result, null, 2)}\n`);
  const ms = (value: number) => `${Math.round(value)} ms`;
  const markdown = [
    `# Portal with ${result.tags.toLocaleString('en-US')} tags`,
    '',
    '| measure | time |',
    '| --- | --- |',
    `| cold: blank page to the first page of tags | ${ms(result.coldMs)} |`,
    `| warm: navigation within the portal (median of ${result.runs - 1}) | ${ms(result.warmMedianMs)} |`,
    `| warm, slowest | ${ms(result.warmMaxMs)} |`,
    `| the API call behind it (GET …/tags?pageSize=50, median of 5) | ${ms(result.apiPageMs)} |`,
    '',
    `Goal: under ${result.goalMs} ms — ${result.met ? 'met' : 'not met'}.`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'portal.md'), markdown);
  process.stdout.write(markdown);
}

async function send(
  base: string,
  method: string,
  pathAndQuery: string,
  body: Buffer | undefined,
  expected: number,
): Promise<void> {
  const res = await fetch(`${base}${pathAndQuery}`, {
    method,
    headers: {
      authorization: credentials,
      ...(body && {
        'content-type':
          method === 'PUT'
            ? 'application/vnd.oci.image.manifest.v1+json'
            : 'application/octet-stream',
      }),
    },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== expected) throw new Error(`${method} ${pathAndQuery}: ${res.status}`);
}

function digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function descriptor(bytes: Buffer, mediaType: string) {
  return { mediaType, digest: digest(bytes), size: bytes.length };
}

function tagName(i: number): string {
  return `tag-${String(i).padStart(5, '0')}`;
}

await main();
