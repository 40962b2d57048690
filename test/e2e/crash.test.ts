import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, tempDir, type ServerProcess } from '../support/server.js';
import { run, tool } from '../support/tools.js';

const mib = 1024 * 1024;

/**
 * A server killed with SIGKILL in the middle of a push must restart with no torn or half-visible
 * blob, and the client must be able to finish: by resuming the session it was given, or by
 * pushing again from scratch.
 */
describe('crash during a large push', () => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  async function serve(data: string): Promise<ServerProcess> {
    const server = await spawnServer([
      '--data',
      data,
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'info',
    ]);
    servers.push(server);
    return server;
  }

  async function kill(server: ServerProcess): Promise<void> {
    server.child.kill('SIGKILL');
    await server.exited;
  }

  it('keeps the upload session, lets the client resume from the reported offset, and serves the whole blob', async () => {
    const data = tempDir('berth-crash-');
    const blob = randomBytes(192 * mib);
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    let server = await serve(data);

    const location = await startSession(server.url, 'crash/resume');
    const push = streamBody(`${server.url}${location}`, blob).catch((err: Error) => err);
    await waitForUploadBytes(data, 48 * mib);
    await kill(server);
    expect(await push).toBeInstanceOf(Error);

    server = await serve(data);
    expect(
      (await fetch(`${server.url}/v2/crash/resume/blobs/${digest}`, { method: 'HEAD' })).status,
    ).toBe(404);
    assertNoTornBlobs(data);

    const status = await fetch(`${server.url}${location}`);
    expect(status.status).toBe(204);
    const offset = Number(/^0-(\d+)$/.exec(status.headers.get('range') ?? '')![1]) + 1;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(blob.length);

    const rest = await fetch(`${server.url}${location}`, {
      method: 'PATCH',
      headers: {
        'content-range': `${offset}-${blob.length - 1}`,
        'content-type': 'application/octet-stream',
      },
      body: blob.subarray(offset),
    });
    expect(rest.status).toBe(202);
    const done = await fetch(`${server.url}${location}?digest=${digest}`, { method: 'PUT' });
    expect(done.status).toBe(201);

    const pulled = await fetch(`${server.url}/v2/crash/resume/blobs/${digest}`);
    const hash = createHash('sha256');
    for await (const chunk of Readable.fromWeb(pulled.body! as never)) hash.update(chunk as Buffer);
    expect(`sha256:${hash.digest('hex')}`).toBe(digest);
    expect(assertNoTornBlobs(data)).toBe(1);
  });

  it('lets a real client push the same image again after the restart and pull it back intact', async () => {
    const data = tempDir('berth-crash-');
    const work = tempDir('berth-crash-work-');
    const layer = path.join(work, 'layer.tar');
    await writeLayerTar(work, layer, 160 * mib);
    let server = await serve(data);

    const first = run(
      tool('crane'),
      ['append', '-f', layer, '-t', `${server.host}/crash/crane:v1`],
      {
        allowFailure: true,
      },
    );
    await waitForUploadBytes(data, 32 * mib);
    await kill(server);
    expect((await first).code).not.toBe(0);

    server = await serve(data);
    assertNoTornBlobs(data);
    const ref = `${server.host}/crash/crane:v1`;
    await run(tool('crane'), ['append', '-f', layer, '-t', ref]);

    // validate --remote downloads every layer and checks it against its digest.
    await run(tool('crane'), ['validate', '--remote', ref]);
    const manifest = JSON.parse((await run(tool('crane'), ['manifest', ref])).stdout) as {
      layers: { digest: string; size: number }[];
    };
    expect(manifest.layers).toHaveLength(1);
    expect(assertNoTornBlobs(data)).toBeGreaterThanOrEqual(3);
  });
});

async function startSession(base: string, repository: string): Promise<string> {
  const res = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  expect(res.status).toBe(202);

  return res.headers.get('location')!;
}

/** A streamed PATCH (no Content-Range, like Docker's) of `blob`, slow enough to be interrupted. */
function streamBody(url: string, blob: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream' },
    });
    request.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    request.on('error', reject);
    Readable.from(chunks(blob, mib)).pipe(request);
  });
}

function* chunks(blob: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < blob.length; i += size) yield blob.subarray(i, i + size);
}

async function waitForUploadBytes(data: string, bytes: number): Promise<void> {
  const dir = path.join(data, 'blobs', 'uploads');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const sizes = readdirSync(dir).map((f) => statSync(path.join(dir, f)).size);
    if (sizes.some((size) => size >= bytes)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no upload reached ${bytes} bytes`);
}

/** Every committed blob file must hash to its own name; returns how many were checked. */
function assertNoTornBlobs(data: string): number {
  const root = path.join(data, 'blobs', 'blobs', 'sha256');
  let checked = 0;
  for (const prefix of safeReaddir(root)) {
    for (const hex of safeReaddir(path.join(root, prefix))) {
      const file = path.join(root, prefix, hex);
      const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
      expect(actual, `blob file ${file}`).toBe(hex);
      checked += 1;
    }
  }
  return checked;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A tar with one file of incompressible bytes, so the push takes long enough to interrupt. */
async function writeLayerTar(work: string, tarPath: string, size: number): Promise<void> {
  const payload = path.join(work, 'payload.bin');
  writeFileSync(payload, randomBytes(size));
  await run('tar', ['-C', work, '-cf', tarPath, 'payload.bin']);
}
