import { describe, expect, it } from 'vitest';
import {
  blobExists,
  pushBlob,
  randomBlob,
  sha256,
  uniqueRepo,
  uploadRange,
  v2,
} from '../support/registry-client.js';
import { startTestServer, useTestServer, type TestServer } from '../support/server.js';

const server = useTestServer();

function mount(target: TestServer, repo: string, query: string): Promise<Response> {
  return fetch(v2(target, `${repo}/blobs/uploads/?${query}`), { method: 'POST' });
}

async function blobInNewRepo(target = server()) {
  const source = uniqueRepo('src');
  const bytes = randomBlob(200);
  const digest = await pushBlob(target, source, bytes);

  return { source, bytes, digest, target: uniqueRepo('dst') };
}

function expectFallbackSession(res: Response, repo: string): void {
  expect(res.status).toBe(202);
  expect(res.headers.get('location')).toMatch(new RegExp(`^/v2/${repo}/blobs/uploads/[\\w-]+$`));
  expect(res.headers.get('range')).toBe('0-0');
}

describe('POST ?mount=<digest>&from=<repo>', () => {
  it('links the blob into the target with 201, the blob Location and its digest', async () => {
    const { source, bytes, digest, target } = await blobInNewRepo();

    const res = await mount(server(), target, `mount=${digest}&from=${source}`);

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/${target}/blobs/${digest}`);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    const pulled = await fetch(v2(server(), `${target}/blobs/${digest}`));
    expect(Buffer.from(await pulled.arrayBuffer())).toEqual(bytes);
  });

  it('falls back to 202 and a new session when the source does not have the blob', async () => {
    const { digest, target } = await blobInNewRepo();
    const elsewhere = uniqueRepo('empty');
    await pushBlob(server(), elsewhere, randomBlob(5));

    const res = await mount(server(), target, `mount=${digest}&from=${elsewhere}`);

    expectFallbackSession(res, target);
    expect(await blobExists(server(), target, digest)).toBe(false);
  });

  it('falls back to a usable session when the source repository does not exist', async () => {
    const { bytes, digest, target } = await blobInNewRepo();

    const res = await mount(server(), target, `mount=${digest}&from=no/such/repo`);
    expectFallbackSession(res, target);
    const upload = new URL(res.headers.get('location')!, server().url).toString();
    const put = await fetch(`${upload}?digest=${digest}`, { method: 'PUT', body: bytes });

    expect(put.status).toBe(201);
    expect(await blobExists(server(), target, digest)).toBe(true);
  });

  it('falls back to a session when the mount digest or the from name is malformed', async () => {
    const { source, digest, target } = await blobInNewRepo();

    const badDigest = await mount(server(), target, `mount=sha256:nothex&from=${source}`);
    const badFrom = await mount(server(), target, `mount=${digest}&from=Not..Valid`);

    expectFallbackSession(badDigest, target);
    expectFallbackSession(badFrom, target);
    expect(await uploadRange(new URL(badFrom.headers.get('location')!, server().url).href)).toBe(
      '0-0',
    );
  });
});

describe('POST ?mount=<digest> without from', () => {
  it('finds the blob in another repository that links it (automatic mount)', async () => {
    const { digest, target } = await blobInNewRepo();

    const res = await mount(server(), target, `mount=${digest}`);

    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/${target}/blobs/${digest}`);
    expect(await blobExists(server(), target, digest)).toBe(true);
  });

  it('falls back to a session when no repository has the blob', async () => {
    const target = uniqueRepo('dst');

    const res = await mount(server(), target, `mount=${sha256(randomBlob(16))}`);

    expectFallbackSession(res, target);
  });

  it('falls back to a session when uploads.automaticMount is off', async () => {
    const strict = await startTestServer({ uploads: { automaticMount: false } });
    try {
      const { digest, target } = await blobInNewRepo(strict);

      const res = await mount(strict, target, `mount=${digest}`);

      expectFallbackSession(res, target);
      expect(await blobExists(strict, target, digest)).toBe(false);
    } finally {
      await strict.close();
    }
  });
});
