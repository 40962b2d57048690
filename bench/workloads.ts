// The workloads, each bounded in request count and in time. Every function takes a client for
// a server that is already running on a fresh data directory.
import { createHash, randomBytes } from 'node:crypto';

import type { Client } from './http.js';

const MiB = 1024 * 1024;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));

  return sorted[rank - 1]!;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Monolithic upload: POST to open a session, then one PUT with the whole body and the digest. */
export async function pushBlob(client: Client, repo: string, blob: Buffer, digest: string) {
  const opened = await client.expect(202, `/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(String(opened.headers.location), client.base);
  location.searchParams.set('digest', digest);
  await client.expect(201, location.href, {
    method: 'PUT',
    body: blob,
    headers: { 'content-type': 'application/octet-stream' },
  });
}

export interface BlobResult {
  pushMiBps: number;
  pullMiBps: number;
}

/**
 * Single-stream push and pull of `repetitions` distinct blobs of `sizeMiB`; each blob differs
 * in its first bytes so that no server can skip an upload it has already seen. Digests are
 * computed before the clock starts. Reports the median of each direction.
 */
export async function blobThroughput(
  client: Client,
  sizeMiB: number,
  repetitions: number,
): Promise<BlobResult> {
  const repo = `bench/blob-${sizeMiB}m`;
  const blob = randomBytes(sizeMiB * MiB);
  const push: number[] = [];
  const pull: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    blob.writeUInt32BE(i, 0);
    const digest = sha256(blob);

    let start = process.hrtime.bigint();
    await pushBlob(client, repo, blob, digest);
    push.push(sizeMiB / (elapsedMs(start) / 1000));

    start = process.hrtime.bigint();
    const res = await client.expect(200, `/v2/${repo}/blobs/${digest}`, { discardBody: true });
    if (res.bytes !== blob.length) throw new Error(`pulled ${res.bytes} of ${blob.length} bytes`);
    pull.push(sizeMiB / (elapsedMs(start) / 1000));
  }

  return { pushMiBps: median(push), pullMiBps: median(pull) };
}

/** Pushes a small image (a config and one 1 KiB layer) and returns its manifest. */
export async function pushSmallImage(client: Client, repo: string): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: {} }));
  const layer = randomBytes(1024);
  const configDigest = sha256(config);
  const layerDigest = sha256(layer);
  await pushBlob(client, repo, config, configDigest);
  await pushBlob(client, repo, layer, layerDigest);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: layerDigest,
          size: layer.length,
        },
      ],
    }),
  );

  return manifest;
}

export async function putManifest(client: Client, repo: string, tag: string, manifest: Buffer) {
  await client.expect(201, `/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': OCI_MANIFEST },
  });
}

export interface RateResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

/**
 * `concurrency` clients, each sending GET manifest-by-tag back to back over keep-alive for
 * `seconds`, after a one-second warm-up that is not counted.
 */
export async function manifestGets(
  client: Client,
  repo: string,
  concurrency: number,
  seconds: number,
): Promise<RateResult> {
  const path = `/v2/${repo}/manifests/latest`;
  const headers = { accept: OCI_MANIFEST };
  const run = async (durationMs: number, latencies: number[]) => {
    const stopAt = Date.now() + durationMs;
    const worker = async () => {
      while (Date.now() < stopAt) {
        const start = process.hrtime.bigint();
        await client.expect(200, path, { headers });
        latencies.push(elapsedMs(start));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  await run(1000, []);
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  await run(seconds * 1000, latencies);
  const wallSeconds = elapsedMs(start) / 1000;

  return {
    requestsPerSecond: latencies.length / wallSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
  };
}

export interface TagListResult {
  tagsPerSecond: number;
  listMs: number;
  listed: number;
}

/**
 * Tags one manifest `count` times (`concurrency` PUTs in flight), then times a full listing
 * with `?n=count`, following `Link: rel="next"` while the server links to more pages. Distribution
 * 2.8.2 ignores `n` and returns every tag in one answer. Median of three listings.
 */
export async function tagListing(
  client: Client,
  count: number,
  concurrency: number,
): Promise<TagListResult> {
  const repo = 'bench/tags';
  const manifest = await pushSmallImage(client, repo);
  let next = 0;
  const tagStart = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const tag = `t${String(next++).padStart(5, '0')}`;
      await putManifest(client, repo, tag, manifest);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const tagsPerSecond = count / (elapsedMs(tagStart) / 1000);

  const timings: number[] = [];
  let listed = 0;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    listed = 0;
    let path: string | undefined = `/v2/${repo}/tags/list?n=${count}`;
    while (path) {
      const res = await client.expect(200, path);
      // distribution v3 links to a next page even when this one ended the list, and answers
      // that page with `"tags": null`: an empty page ends the listing.
      const page = (JSON.parse(res.body.toString('utf8')) as { tags: string[] | null }).tags ?? [];
      listed += page.length;
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
      path = page.length > 0 ? link?.[1] : undefined;
    }
    timings.push(elapsedMs(start));
  }
  if (listed !== count) throw new Error(`listed ${listed} tags, expected ${count}`);

  return { tagsPerSecond, listMs: median(timings), listed };
}
