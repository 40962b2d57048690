import { describe, expect, it } from 'vitest';
import {
  expectOciError,
  pushBlob,
  pushImage,
  randomBlob,
  sha256,
  uniqueRepo,
  v2,
} from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

async function pushedBlob(size = 1000) {
  const repo = uniqueRepo('blobs');
  const bytes = randomBlob(size);
  const digest = await pushBlob(server(), repo, bytes);

  return { repo, bytes, digest, url: v2(server(), `${repo}/blobs/${digest}`) };
}

function getRange(url: string, range: string): Promise<Response> {
  return fetch(url, { headers: { range } });
}

describe('GET and HEAD /v2/<name>/blobs/<digest>', () => {
  it('serves the exact bytes with digest, length and type headers', async () => {
    const { bytes, digest, url } = await pushedBlob();

    const res = await fetch(url);

    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('etag')).toBe(`"${digest}"`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('answers HEAD like GET with the blob size as Content-Length and no body', async () => {
    const { bytes, digest, url } = await pushedBlob();

    const res = await fetch(url, { method: 'HEAD' });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves a zero-byte blob', async () => {
    const repo = uniqueRepo('blobs');
    const digest = await pushBlob(server(), repo, Buffer.alloc(0));

    const res = await fetch(v2(server(), `${repo}/blobs/${digest}`));

    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves a manifest by its digest through the blobs endpoint, as containerd falls back to', async () => {
    const repo = uniqueRepo('blobs');
    const image = await pushImage(server(), repo, 'v1');

    const res = await fetch(v2(server(), `${repo}/blobs/${image.digest}`));

    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(image.bytes);
  });

  it('answers an unknown digest with 404 BLOB_UNKNOWN', async () => {
    const repo = uniqueRepo('blobs');
    await pushBlob(server(), repo, randomBlob(10));

    const res = await fetch(v2(server(), `${repo}/blobs/${sha256(randomBlob(10))}`));

    await expectOciError(res, 404, 'BLOB_UNKNOWN');
  });

  it('answers HEAD of an unknown digest with 404 and no body', async () => {
    const res = await fetch(v2(server(), `${uniqueRepo('blobs')}/blobs/${sha256(randomBlob(4))}`), {
      method: 'HEAD',
    });

    expect(res.status).toBe(404);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('does not serve a blob through a repository it was never pushed to', async () => {
    const { digest } = await pushedBlob();

    const res = await fetch(v2(server(), `${uniqueRepo('other')}/blobs/${digest}`));

    await expectOciError(res, 404, 'BLOB_UNKNOWN');
  });
});

describe('conditional blob requests', () => {
  it('answers GET and HEAD with 304 and no body when If-None-Match holds the digest', async () => {
    const { url, digest } = await pushedBlob();

    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(url, { method, headers: { 'if-none-match': `"${digest}"` } });
      expect(res.status).toBe(304);
      expect(res.headers.get('docker-content-digest')).toBe(digest);
      expect(await res.text()).toBe('');
    }
    expect((await fetch(url, { headers: { 'if-none-match': '"sha256:other"' } })).status).toBe(200);
  });
});

describe('Range requests on blob GET', () => {
  it('answers bytes=a-b with 206, Content-Range and exactly those bytes', async () => {
    const { bytes, url } = await pushedBlob(1000);

    const res = await getRange(url, 'bytes=10-19');

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect(res.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(10, 20));
  });

  it('answers an open range bytes=a- with the rest of the blob', async () => {
    const { bytes, url } = await pushedBlob(1000);

    const res = await getRange(url, 'bytes=990-');

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(990));
  });

  it('answers a suffix range bytes=-n with the last n bytes', async () => {
    const { bytes, url } = await pushedBlob(1000);

    const res = await getRange(url, 'bytes=-5');

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 995-999/1000');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(995));
  });

  it('clamps an end past the last byte', async () => {
    const { bytes, url } = await pushedBlob(100);

    const res = await getRange(url, 'bytes=50-5000');

    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 50-99/100');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(50));
  });

  it('answers a start past the end with 416 and Content-Range bytes */size', async () => {
    const { url } = await pushedBlob(100);

    const res = await getRange(url, 'bytes=100-200');

    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */100');
    await expectOciError(res, 416, 'SIZE_INVALID');
  });

  it('refuses several ranges with 416 rather than a 200 with the whole blob', async () => {
    const { url } = await pushedBlob(100);

    const res = await getRange(url, 'bytes=0-1,5-6');

    await expectOciError(res, 416, 'SIZE_INVALID');
  });

  it('ignores a Range in a unit other than bytes and serves the whole blob', async () => {
    const { bytes, url } = await pushedBlob(100);

    const res = await getRange(url, 'items=0-1');

    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });
});

describe('DELETE /v2/<name>/blobs/<digest>', () => {
  it('answers 202 and the blob is gone from that repository afterwards', async () => {
    const { url } = await pushedBlob();

    const deleted = await fetch(url, { method: 'DELETE' });
    const after = await fetch(url, { method: 'HEAD' });

    expect(deleted.status).toBe(202);
    expect(after.status).toBe(404);
  });

  it('keeps the blob in other repositories that link it', async () => {
    const { bytes, url } = await pushedBlob();
    const other = uniqueRepo('blobs');
    const digest = await pushBlob(server(), other, bytes);

    await fetch(url, { method: 'DELETE' });
    const res = await fetch(v2(server(), `${other}/blobs/${digest}`));

    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('answers a second delete of the same blob with 404 BLOB_UNKNOWN', async () => {
    const { url } = await pushedBlob();
    await fetch(url, { method: 'DELETE' });

    const res = await fetch(url, { method: 'DELETE' });

    await expectOciError(res, 404, 'BLOB_UNKNOWN');
  });
});
