// End to end with a real client: skopeo copies a Debian image into the registry and back out.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import type { Client } from './http.js';
import { OCI_MANIFEST } from './push.js';
import { elapsedMs, median } from './stats.js';

const run = promisify(execFile);
const SKOPEO = '/usr/bin/skopeo';
const TIMEOUT_MS = 300_000;

export interface SkopeoImage {
  /** `oci:<dir>:<tag>` */
  reference: string;
  tag: string;
  bytes: number;
}

export interface SkopeoResult {
  inSeconds: number;
  outSeconds: number;
}

/** The Debian image scripts/build-test-images.sh builds, or why it cannot be used. */
export function skopeoImage(cacheDir: string): SkopeoImage | string {
  if (!existsSync(SKOPEO)) return `${SKOPEO} is not installed`;
  const list = path.join(cacheDir, 'images', 'images.json');
  if (!existsSync(list)) return `${list} is missing (scripts/build-test-images.sh)`;

  const images = (
    JSON.parse(readFileSync(list, 'utf8')) as {
      images: { name: string; tag: string; reference: string; blobBytes: number }[];
    }
  ).images;
  const debian = images.find((i) => i.name === 'debian-bookworm');
  if (!debian) return `no debian-bookworm image in ${list}`;

  return { reference: debian.reference, tag: debian.tag, bytes: debian.blobBytes };
}

/**
 * `repetitions` copies in, each into a new repository, and as many copies out into a new OCI
 * layout; the median time of each. skopeo remembers where it has seen a blob and mounts it from
 * there rather than uploading it again, so each repository is emptied before the next copy in:
 * every copy in uploads every blob.
 */
export async function skopeoCopies(
  client: Client,
  image: SkopeoImage,
  repetitions: number,
): Promise<SkopeoResult> {
  const host = new URL(client.base).host;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-skopeo-'));
  const inTimes: number[] = [];
  const outTimes: number[] = [];
  try {
    for (let i = 0; i < repetitions; i++) {
      const target = `docker://${host}/bench/skopeo-${i}:${image.tag}`;
      inTimes.push(await timed(['--dest-tls-verify=false', image.reference, target]));
      const layout = `oci:${path.join(scratch, `out-${i}`)}:${image.tag}`;
      outTimes.push(await timed(['--src-tls-verify=false', target, layout]));
      await emptyRepository(client, `bench/skopeo-${i}`, image.tag);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  return { inSeconds: median(inTimes), outSeconds: median(outTimes) };
}

async function timed(args: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  await run(SKOPEO, ['copy', '--quiet', ...args], { timeout: TIMEOUT_MS });

  return elapsedMs(start) / 1000;
}

/** Deletes the manifest and unlinks every blob, so no later copy can mount from here. */
async function emptyRepository(client: Client, repo: string, tag: string): Promise<void> {
  const res = await client.expect(200, `/v2/${repo}/manifests/${tag}`, {
    headers: { accept: OCI_MANIFEST },
  });
  const manifest = JSON.parse(res.body.toString('utf8')) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  await client.expect(
    202,
    `/v2/${repo}/manifests/${String(res.headers['docker-content-digest'])}`,
    {
      method: 'DELETE',
    },
  );
  for (const { digest } of [manifest.config, ...manifest.layers]) {
    await client.expect(202, `/v2/${repo}/blobs/${digest}`, { method: 'DELETE' });
  }
}
