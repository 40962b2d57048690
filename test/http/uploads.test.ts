import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../src/oci/digest.js';
import {
  blobExists,
  expectOciError,
  patchChunk,
  randomBlob,
  sha256,
  sleep,
  startUpload,
  uniqueRepo,
  uploadRange,
  v2,
  withQuery,
} from '../support/registry-client.js';
import { startTestServer, tempDir, useTestServer, type TestServer } from '../support/server.js';

const server = useTestServer();

/** A body of unknown length: fetch sends it with Transfer-Encoding: chunked. */
function streamOf(...chunks: Buffer[]): RequestInit {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

  return { body, duplex: 'half' } as RequestInit;
}

function finish(uploadUrl: string, digest: string, init: RequestInit = {}): Promise<Response> {
  return fetch(withQuery(uploadUrl, { digest }), { method: 'PUT', ...init });
}

async function expectBlob(repo: string, bytes: Buffer, target = server()): Promise<void> {
  const res = await fetch(v2(target, `${repo}/blobs/${sha256(bytes)}`));
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
}

function stagingFile(target: TestServer, uploadUrl: string): string {
  return path.join(
    target.dataDir,
    'blobs',
    'uploads',
    new URL(uploadUrl).pathname.split('/').pop()!,
  );
}

describe('monolithic POST ?digest=', () => {
  it('stores the body and answers 201 with the blob Location and digest', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(300);
    const digest = sha256(bytes);

    const res = await fetch(v2(server(), `${repo}/blobs/uploads/?digest=${digest}`), {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/${repo}/blobs/${digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    await expectBlob(repo, bytes);
  });

  it('accepts a sha512 digest and reports it back', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(300);
    const digest = digestOf(bytes, 'sha512');

    const res = await fetch(v2(server(), `${repo}/blobs/uploads/?digest=${digest}`), {
      method: 'POST',
      body: bytes,
    });
    const head = await fetch(v2(server(), `${repo}/blobs/${digest}`), { method: 'HEAD' });

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('300');
  });

  it('refuses a body that does not match the digest and leaves no session behind', async () => {
    const repo = uniqueRepo('up');
    const claimed = sha256(randomBlob(10));
    const sessionsBefore = await server().berth.registry.meta.countUploads();

    const res = await fetch(v2(server(), `${repo}/blobs/uploads/?digest=${claimed}`), {
      method: 'POST',
      body: randomBlob(10),
    });

    await expectOciError(res, 400, 'DIGEST_INVALID');
    expect(await blobExists(server(), repo, claimed)).toBe(false);
    expect(await server().berth.registry.meta.countUploads()).toBe(sessionsBefore);
  });
});

describe('PUT with a digest that does not match the uploaded bytes', () => {
  it('answers DIGEST_INVALID and cancels the session, last chunk and all, so the client starts over', async () => {
    const repo = uniqueRepo('up');
    const url = await startUpload(server(), repo);
    const first = randomBlob(1000);
    expect((await patchChunk(url, first, 0)).status).toBe(202);

    const res = await fetch(withQuery(url, { digest: sha256(randomBlob(5)) }), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-range': '1000-2999' },
      body: randomBlob(2000),
    });

    await expectOciError(res, 400, 'DIGEST_INVALID');
    await expectOciError(await fetch(url), 404, 'BLOB_UPLOAD_UNKNOWN');
  });
});

describe('POST /v2/<name>/blobs/uploads/ without a digest', () => {
  it('opens a session: 202, relative upload Location, Range 0-0 and no body', async () => {
    const repo = uniqueRepo('up');

    const res = await fetch(v2(server(), `${repo}/blobs/uploads/`), { method: 'POST' });

    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toMatch(new RegExp(`^/v2/${repo}/blobs/uploads/[\\w-]+$`));
    expect(res.headers.get('range')).toBe('0-0');
    expect(res.headers.get('content-length')).toBe('0');
    expect(res.headers.get('docker-upload-uuid')).toBe(
      res.headers.get('location')!.split('/').pop(),
    );
  });
});

describe('chunked upload with PATCH and Content-Range', () => {
  it('appends chunks in order, reports the whole size in Range, and commits on PUT', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(30);
    const upload = await startUpload(server(), repo);

    const first = await patchChunk(upload, bytes.subarray(0, 10), 0);
    const second = await patchChunk(upload, bytes.subarray(10, 30), 10);
    const done = await finish(upload, sha256(bytes));

    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-9');
    expect(second.status).toBe(202);
    expect(second.headers.get('range')).toBe('0-29');
    expect(second.headers.get('location')).toBe(new URL(upload).pathname);
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha256(bytes));
    await expectBlob(repo, bytes);
  });

  it('answers an out-of-order chunk with 416, the current Range and Location, and keeps the session', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(30);
    const upload = await startUpload(server(), repo);
    await patchChunk(upload, bytes.subarray(0, 10), 0);

    const skipped = await patchChunk(upload, bytes.subarray(20, 30), 20);
    const retried = await patchChunk(upload, bytes.subarray(0, 10), 0);

    expect(skipped.status).toBe(416);
    expect(skipped.headers.get('range')).toBe('0-9');
    expect(skipped.headers.get('location')).toBe(new URL(upload).pathname);
    await expectOciError(skipped, 416, 'BLOB_UPLOAD_INVALID');
    expect(retried.status).toBe(416);
    expect(await uploadRange(upload)).toBe('0-9');

    expect((await patchChunk(upload, bytes.subarray(10, 30), 10)).status).toBe(202);
    expect((await finish(upload, sha256(bytes))).status).toBe(201);
    await expectBlob(repo, bytes);
  });

  it('refuses an out-of-order last chunk on PUT with 416 and keeps the session', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(20);
    const upload = await startUpload(server(), repo);
    await patchChunk(upload, bytes.subarray(0, 10), 0);

    const res = await finish(upload, sha256(bytes), {
      headers: { 'content-range': '15-19' },
      body: bytes.subarray(15, 20),
    });

    await expectOciError(res, 416, 'BLOB_UPLOAD_INVALID');
    expect(await uploadRange(upload)).toBe('0-9');
  });

  it('keeps the first Location valid for every later request of the session', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(20);
    const upload = await startUpload(server(), repo);

    const patched = await patchChunk(upload, bytes.subarray(0, 10), 0);
    const latest = new URL(patched.headers.get('location')!, server().url).toString();
    await patchChunk(latest, bytes.subarray(10, 20), 10);

    expect(await uploadRange(upload)).toBe('0-19');
    expect((await finish(upload, sha256(bytes))).status).toBe(201);
  });
});

describe('streamed PATCH without Content-Range', () => {
  it('accepts a chunked body of unknown length, as Docker pushes layers', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(70_000);
    const upload = await startUpload(server(), repo);

    const res = await fetch(upload, {
      method: 'PATCH',
      ...streamOf(bytes.subarray(0, 30_000), bytes.subarray(30_000)),
    });

    expect(res.status).toBe(202);
    expect(res.headers.get('range')).toBe('0-69999');
    expect((await finish(upload, sha256(bytes))).status).toBe(201);
    await expectBlob(repo, bytes);
  });

  it('accepts a PATCH with Content-Length but no Content-Range, as crane pushes', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(500);
    const upload = await startUpload(server(), repo);

    const res = await patchChunk(upload, bytes);

    expect(res.status).toBe(202);
    expect(res.headers.get('range')).toBe('0-499');
    expect((await finish(upload, sha256(bytes))).status).toBe(201);
  });
});

describe('PUT to finish an upload', () => {
  it('takes the whole blob in the PUT body without any PATCH', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(100);
    const upload = await startUpload(server(), repo);

    const res = await finish(upload, sha256(bytes), { body: bytes });

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/${repo}/blobs/${sha256(bytes)}`);
    await expectBlob(repo, bytes);
  });

  it('appends a last chunk sent with its Content-Range', async () => {
    const repo = uniqueRepo('up');
    const bytes = randomBlob(100);
    const upload = await startUpload(server(), repo);
    await patchChunk(upload, bytes.subarray(0, 60), 0);

    const res = await finish(upload, sha256(bytes), {
      headers: { 'content-range': '60-99' },
      body: bytes.subarray(60),
    });

    expect(res.status).toBe(201);
    await expectBlob(repo, bytes);
  });

  it('refuses a PUT without ?digest= with 400 DIGEST_INVALID and keeps the session', async () => {
    const upload = await startUpload(server(), uniqueRepo('up'));
    await patchChunk(upload, randomBlob(10), 0);

    const res = await fetch(upload, { method: 'PUT' });

    await expectOciError(res, 400, 'DIGEST_INVALID');
    expect(await uploadRange(upload)).toBe('0-9');
  });

  it('ends the session once the blob is committed', async () => {
    const bytes = randomBlob(10);
    const upload = await startUpload(server(), uniqueRepo('up'));
    await finish(upload, sha256(bytes), { body: bytes });

    const res = await fetch(upload);

    await expectOciError(res, 404, 'BLOB_UPLOAD_UNKNOWN');
  });
});

describe('GET <upload url> (status) and DELETE <upload url> (cancel)', () => {
  it('reports 204 with Location and the Range received so far', async () => {
    const upload = await startUpload(server(), uniqueRepo('up'));
    await patchChunk(upload, randomBlob(42), 0);

    const res = await fetch(upload);

    expect(res.status).toBe(204);
    expect(res.headers.get('location')).toBe(new URL(upload).pathname);
    expect(res.headers.get('range')).toBe('0-41');
  });

  it('does not show a session through another repository', async () => {
    const repo = uniqueRepo('up');
    const upload = await startUpload(server(), repo);
    const elsewhere = upload.replace(`/v2/${repo}/`, `/v2/${uniqueRepo('other')}/`);

    const res = await fetch(elsewhere);

    await expectOciError(res, 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('cancels with 204, drops the bytes, and the session is unknown afterwards', async () => {
    const upload = await startUpload(server(), uniqueRepo('up'));
    await patchChunk(upload, randomBlob(42), 0);

    const res = await fetch(upload, { method: 'DELETE' });

    expect(res.status).toBe(204);
    expect(existsSync(stagingFile(server(), upload))).toBe(false);
    await expectOciError(await fetch(upload), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectOciError(await patchChunk(upload, randomBlob(1), 42), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('answers an unknown session id with 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const res = await fetch(v2(server(), `${uniqueRepo('up')}/blobs/uploads/no-such-session`));

    await expectOciError(res, 404, 'BLOB_UPLOAD_UNKNOWN');
  });
});

describe('upload sessions across a restart', () => {
  it('continues a session on a new server over the same data directory', async () => {
    const dataDir = tempDir();
    const repo = uniqueRepo('up');
    const bytes = randomBlob(5000);
    try {
      const before = await startTestServer({ dataDir });
      const upload = await startUpload(before, repo);
      await patchChunk(upload, bytes.subarray(0, 2000), 0);
      await before.close();

      const after = await startTestServer({ dataDir });
      const resumed = new URL(new URL(upload).pathname, after.url).toString();
      expect(await uploadRange(resumed)).toBe('0-1999');
      expect((await patchChunk(resumed, bytes.subarray(2000), 2000)).status).toBe(202);
      expect((await finish(resumed, sha256(bytes))).status).toBe(201);
      await expectBlob(repo, bytes, after);
      await after.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('expiry of abandoned sessions', () => {
  it('removes sessions idle past uploads.expiry with their bytes, and keeps fresh ones', async () => {
    const expiring = await startTestServer({ uploads: { expiry: '300ms' } });
    try {
      const repo = uniqueRepo('up');
      const abandoned = await startUpload(expiring, repo);
      await patchChunk(abandoned, randomBlob(100), 0);
      await sleep(400);
      const fresh = await startUpload(expiring, repo);

      await expiring.berth.registry.uploads.sweep();

      await expectOciError(await fetch(abandoned), 404, 'BLOB_UPLOAD_UNKNOWN');
      expect(existsSync(stagingFile(expiring, abandoned))).toBe(false);
      expect(await uploadRange(fresh)).toBe('0-0');
      expect(await expiring.berth.registry.meta.countUploads()).toBe(1);
    } finally {
      await expiring.close();
    }
  });

  it('counts a PATCH as activity, so a session in use does not expire', async () => {
    const expiring = await startTestServer({ uploads: { expiry: '300ms' } });
    try {
      const upload = await startUpload(expiring, uniqueRepo('up'));
      await sleep(400);
      await patchChunk(upload, randomBlob(10), 0);

      await expiring.berth.registry.uploads.sweep();

      expect(await uploadRange(upload)).toBe('0-9');
    } finally {
      await expiring.close();
    }
  });
});
