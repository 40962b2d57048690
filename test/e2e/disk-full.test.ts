import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, tempDir, type ServerProcess } from '../support/server.js';
import { run } from '../support/tools.js';

const mib = 1024 * 1024;

/**
 * A registry whose disk fills up mid-push must say so (507, the spec's error shape), roll the
 * upload back so the space comes back, show nothing half-written, and keep serving. The data
 * directory is a 48 MiB tmpfs mounted for the test (CI runs as root).
 */
describe('a full disk', () => {
  const disk = useServerOnSmallDisk(48);

  it('answers 507 in the spec error shape, rolls the upload back and keeps serving', async () => {
    const before = freeBytes(disk.mount);
    const big = randomBytes(64 * mib);
    const digest = sha256(big);
    const location = await startSession(disk.server.url, 'full/disk');

    const response = await putWholeBody(`${disk.server.url}${location}?digest=${digest}`, big);

    expect(response.status).toBe(507);
    expect(JSON.parse(response.body)).toMatchObject({ errors: [{ code: 'UNAVAILABLE' }] });
    expect(
      (await fetch(`${disk.server.url}/v2/full/disk/blobs/${digest}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect(freeBytes(disk.mount)).toBeGreaterThan(before - 2 * mib);

    const status = await fetch(`${disk.server.url}${location}`);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-0');
    expect(
      disk.server.logs.some(
        (line) => line.includes('"status":507') && line.includes('"level":"error"'),
      ),
    ).toBe(true);
  });

  it('accepts a push that fits once the failed one is rolled back', async () => {
    const small = randomBytes(4 * mib);
    const digest = sha256(small);

    const res = await fetch(`${disk.server.url}/v2/full/disk/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: small,
    });

    expect(res.status).toBe(201);
    const pulled = Buffer.from(
      await (await fetch(`${disk.server.url}/v2/full/disk/blobs/${digest}`)).arrayBuffer(),
    );
    expect(sha256(pulled)).toBe(digest);
    expect((await fetch(`${disk.server.url}/readyz`)).status).toBe(200);
  });
});

describe('a disk with no space left at all', () => {
  const disk = useServerOnSmallDisk(24);

  it('answers blob and tag pushes with success or 507, never 500 (database full included), and recovers', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256(config),
          size: config.length,
        },
        layers: [],
      }),
    );
    await postBlob(disk.server.url, 'full/db', config);
    // Pushed once while there is room, so that later tags need only database writes.
    expect((await putManifest(disk.server.url, 'full/db', 'before', manifest)).status).toBe(201);
    const filler = path.join(disk.mount, 'filler');
    await run('sh', ['-c', `dd if=/dev/zero of=${filler} bs=1M 2>/dev/null; true`]);

    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) {
      statuses.add((await putManifest(disk.server.url, 'full/db', `t${i}`, manifest)).status);
      statuses.add((await postBlob(disk.server.url, 'full/db', randomBytes(256 * 1024))).status);
    }
    expect([...statuses].filter((s) => s !== 201 && s !== 507)).toEqual([]);
    expect(statuses.has(507)).toBe(true);

    rmSync(filler);
    expect((await putManifest(disk.server.url, 'full/db', 'after', manifest)).status).toBe(201);
    expect((await postBlob(disk.server.url, 'full/db', randomBytes(1024))).status).toBe(201);
    expect((await fetch(`${disk.server.url}/readyz`)).status).toBe(200);
  });
});

async function postBlob(base: string, repository: string, bytes: Buffer): Promise<Response> {
  return fetch(`${base}/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

async function putManifest(
  base: string,
  repository: string,
  tag: string,
  body: Buffer,
): Promise<Response> {
  return fetch(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body,
  });
}

/**
 * Mounts a tmpfs of `sizeMiB` for the file's tests and runs `berth serve` with its data there;
 * unmounts and stops the server afterwards.
 */
function useServerOnSmallDisk(sizeMiB: number): { mount: string; server: ServerProcess } {
  const disk = {} as { mount: string; server: ServerProcess };

  beforeAll(async () => {
    disk.mount = tempDir('berth-small-disk-');
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', disk.mount]);
    mkdirSync(path.join(disk.mount, 'data'));
    const data = path.join(disk.mount, 'data');
    disk.server = await spawnServer([
      '--data',
      data,
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'info',
    ]);
  });

  afterAll(async () => {
    disk.server?.child.kill('SIGTERM');
    await disk.server?.exited;
    await run('umount', [disk.mount], { allowFailure: true });
    rmSync(disk.mount, { recursive: true, force: true });
  });

  return disk;
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

async function startSession(base: string, repository: string): Promise<string> {
  const res = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  expect(res.status).toBe(202);
  return res.headers.get('location')!;
}

/** Sends a body and reads the answer even if the server answers before taking all of it. */
function putWholeBody(url: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
      },
    });
    request.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close its side while we are still writing; the answer is what counts.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    request.end(body);
  });
}
