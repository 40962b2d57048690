/**
 * Helpers for tests of scanning inside the registry: pushing a real test image from its OCI
 * layout, and waiting for the scan queue.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { ScanRecord } from '../../src/metadata/index.js';
import { basicHeader, type Credentials } from './accounts.js';
import { OciLayout } from './oci-layout.js';
import { sleep } from './registry-client.js';
import type { TestServer } from './server.js';

/** Pushes the image of an OCI layout (blobs, then the manifest) as `repo:tag`; its digest. */
export async function pushLayoutImage(
  server: TestServer,
  credentials: Credentials,
  layoutDir: string,
  repo: string,
  tag: string,
): Promise<string> {
  const layout = new OciLayout(layoutDir);
  const digest = await layout.digest();
  const manifest = await layout.json<{
    mediaType?: string;
    config: { digest: string };
    layers: { digest: string }[];
  }>(digest);
  const authorization = basicHeader(credentials);

  for (const blob of [manifest.config, ...manifest.layers]) {
    const res = await fetch(`${server.url}/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/octet-stream' },
      body: await readFile(layout.blobPath(blob.digest)),
    });
    expect(res.status, `push blob ${blob.digest}`).toBe(201);
  }

  const res = await fetch(`${server.url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: {
      authorization,
      'content-type': manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
    },
    body: await readFile(layout.blobPath(digest)),
  });
  expect(res.status, 'push manifest').toBe(201);

  return digest;
}

/**
 * Waits until the scan of `repo@digest` is finished (done or failed) and, when `after` is given,
 * finished after that time; its record.
 */
export async function finishedScan(
  server: TestServer,
  repo: string,
  digest: string,
  after = 0,
): Promise<ScanRecord> {
  const { meta } = server.berth.registry;
  for (let waited = 0; waited < 120_000; waited += 50) {
    const repositoryId = await meta.findRepository(repo);
    const scan =
      repositoryId === undefined ? undefined : await meta.scans.get(repositoryId, digest);
    const finished = scan && (scan.status === 'done' || scan.status === 'failed');
    if (finished && (scan.finishedAt ?? 0) > after) return scan;
    await sleep(50);
  }

  throw new Error(`the scan of ${repo}@${digest} did not finish`);
}
