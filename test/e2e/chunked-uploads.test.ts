import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Regctl } from '../support/clients.js';
import { OciLayout } from '../support/oci-layout.js';
import {
  startRecordingProxy,
  type RecordedRequest,
  type RecordingProxy,
} from '../support/recording-proxy.js';
import { RegistryApi } from '../support/registry-api.js';
import type { Descriptor } from '../support/registry-client.js';
import { startTestServer, tempDir, type TestServer } from '../support/server.js';
import { testImages } from '../support/tools.js';

/*
 * regctl told to push in chunks (`registry set --blob-chunk N --blob-max 1`) sends each blob as
 * POST, a PATCH per chunk with `Content-Range: <start>-<end>`, then PUT ?digest= (distribution
 * spec v1.1 "Pushing a blob in chunks"). A recording proxy between regctl and Berth shows the
 * ranges on the wire; /metrics shows that Berth itself accepted that many PATCHes.
 *
 * The server is used by this file alone: regctl first asks for a mount without `from`, which
 * Berth answers from any repository holding the blob, and then nothing would be uploaded.
 */

const bookworm = testImages()['debian-bookworm']!;
const chunk = 4 * 1024 * 1024;
const repo = 'chunked/debian';
const acceptedPatches = 'berth_http_requests_total{route="upload",method="PATCH",status="202"}';

let server: TestServer;
let proxy: RecordingProxy;
let api: RegistryApi;
let scratch: string;
let blobs: Descriptor[];

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startRecordingProxy(server.host);
  api = new RegistryApi(server.url);
  scratch = tempDir('berth-e2e-chunked-');
  const manifest = await new OciLayout(bookworm.dir).json(bookworm.digest);
  blobs = [manifest.config!, ...manifest.layers!];
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('regctl with forced chunked uploads', () => {
  it('pushes the Debian image with its digest unchanged', async () => {
    const regctl = new Regctl(path.join(scratch, 'regctl.json'));
    await regctl.useRegistry(proxy.host, chunk);
    await regctl.run(
      'image',
      'copy',
      `ocidir://${bookworm.dir}:bookworm`,
      `${proxy.host}/${repo}:bookworm`,
    );

    expect((await api.manifest(repo, 'bookworm')).digest).toBe(bookworm.digest);
  });

  it('sends each blob as contiguous Content-Range chunks of the configured size', async () => {
    for (const blob of blobs) {
      const patches = patchesOf(proxy.requests, blob.digest);

      expect(patches.map((p) => p.contentRange)).toEqual(expectedRanges(blob.size));
      expect(patches.every((p) => p.status === 202)).toBe(true);
    }
    // The Debian layer is many chunks long, so this cannot pass with one PATCH per blob.
    expect(patchesOf(proxy.requests, blobs[1]!.digest).length).toBeGreaterThan(10);
  });

  it('counts every accepted PATCH in /metrics', async () => {
    const seen = proxy.requests.filter((r) => r.method === 'PATCH' && r.status === 202);

    expect(await api.counter(acceptedPatches)).toBe(seen.length);
  });

  it('stores blobs whose bytes hash to their digests', async () => {
    for (const blob of blobs) expect(await api.blobSha256(repo, blob.digest)).toBe(blob.digest);
  });
});

/** The PATCHes of the upload session that was committed as `digest`. */
function patchesOf(requests: RecordedRequest[], digest: string): RecordedRequest[] {
  const commit = requests.find(
    (r) => r.method === 'PUT' && r.path.includes(`digest=${encodeURIComponent(digest)}`),
  );
  if (!commit) throw new Error(`no PUT committed ${digest}`);
  const session = commit.path.slice(0, commit.path.indexOf('?'));

  return requests.filter((r) => r.method === 'PATCH' && r.path === session);
}

/** `start-end` ranges, inclusive, of a blob of `size` bytes cut into `chunk`-sized pieces. */
function expectedRanges(size: number): string[] {
  const ranges: string[] = [];
  for (let start = 0; start < size; start += chunk) {
    ranges.push(`${start}-${Math.min(start + chunk, size) - 1}`);
  }

  return ranges;
}
