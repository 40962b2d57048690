import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  blobExists,
  emptyConfig,
  expectErrorShape,
  expectOciError,
  imageManifest,
  MediaType,
  patchChunk,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
  rawRequest,
  sha256,
  sleep,
  startUpload,
  uniqueRepo,
  uploadRange,
  v2,
  withQuery,
  type RawResponse,
} from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer();

function expectRawError(res: RawResponse, status: number, code: string): void {
  expect(res.status, res.body).toBe(status);
  const body = JSON.parse(res.body) as { errors: { code: string }[] };
  expectErrorShape(body);
  expect(body.errors[0]?.code).toBe(code);
}

/**
 * Writes a request whose body stops after `sent` of the declared bytes, then drops the
 * connection, like a client that dies mid-upload.
 */
async function sendTruncated(
  method: string,
  path: string,
  headers: Record<string, string | number>,
  sent: Buffer,
): Promise<void> {
  const socket = net.connect(Number(new URL(server().url).port), '127.0.0.1');
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  );
  const lines = Object.entries({ host: server().host, ...headers }).map(([k, v]) => `${k}: ${v}`);
  socket.write(`${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  socket.write(sent);
  // Give the server time to start the handler and take in the partial body.
  await sleep(100);
  socket.destroy();
}

/** Sends raw bytes on a fresh connection and resolves with everything the server answered. */
async function sendRaw(request: string): Promise<{ status: number; body: string }> {
  const socket = net.connect(Number(new URL(server().url).port), '127.0.0.1');
  let received = '';
  socket.on('data', (data: Buffer) => (received += data.toString()));
  socket.write(request);
  await new Promise((resolve) => socket.once('close', resolve).once('error', resolve));
  const [head = '', body = ''] = received.split('\r\n\r\n');

  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body };
}

describe('invalid repository names', () => {
  const long = 'a'.repeat(300);
  const names: [string, string][] = [
    ['uppercase letters', 'Library/Ubuntu'],
    ['a .. component', 'a/../b'],
    ['a percent-encoded .. component', 'a/%2e%2e/b'],
    ['a percent-encoded ..  alone', '%2E%2E'],
    ['a percent-encoded slash', 'a%2Fb'],
    ['a leading separator', '-abc'],
    ['a trailing separator', 'abc_'],
    ['an empty component', 'a//b'],
    ['a trailing slash', 'abc/'],
    ['a leading dot', '.abc'],
    ['300 characters', long],
    ['a NUL byte', 'a%00b'],
  ];

  it.each(names)('refuses a name with %s with 400 NAME_INVALID', async (_case, name) => {
    const responses = await Promise.all([
      rawRequest(server(), 'GET', `/v2/${name}/tags/list`),
      rawRequest(server(), 'GET', `/v2/${name}/manifests/latest`),
      rawRequest(server(), 'POST', `/v2/${name}/blobs/uploads/`),
      rawRequest(
        server(),
        'PUT',
        `/v2/${name}/manifests/latest`,
        {
          'content-type': MediaType.ociManifest,
        },
        Buffer.from('{}'),
      ),
    ]);

    for (const res of responses) expectRawError(res, 400, 'NAME_INVALID');
  });

  it('refuses a very long path with 400 NAME_INVALID before matching it', async () => {
    const name = Array.from({ length: 400 }, () => 'abcdefgh').join('/');

    const res = await rawRequest(server(), 'GET', `/v2/${name}/manifests/latest`);

    expectRawError(res, 400, 'NAME_INVALID');
  });

  it('creates no repository for any refused name', async () => {
    const res = await fetch(`${server().url}/v2/_catalog`);
    const { repositories } = (await res.json()) as { repositories: string[] };

    expect(repositories.filter((r) => !/^[a-z0-9]+([._/-][a-z0-9]+)*/.test(r))).toEqual([]);
    expect(repositories.some((r) => r.includes('..') || r.includes('%'))).toBe(false);
  });
});

describe('invalid tags and digests', () => {
  let repo: string;
  beforeAll(async () => {
    repo = uniqueRepo('hostile');
    await pushImage(server(), repo, 'v1');
  });

  const badDigests: [string, string][] = [
    ['a short hex part', 'sha256:abc123'],
    ['an unknown algorithm', `md5:${'a'.repeat(32)}`],
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
    ['no hex at all', 'sha256:'],
    ['a sha512 of sha256 length', `sha512:${'a'.repeat(64)}`],
  ];

  it.each(badDigests)(
    'refuses a blob digest with %s with 400 DIGEST_INVALID',
    async (_c, digest) => {
      await expectOciError(
        await fetch(v2(server(), `${repo}/blobs/${digest}`)),
        400,
        'DIGEST_INVALID',
      );
    },
  );

  it.each(badDigests)(
    'refuses a manifest digest with %s with 400 DIGEST_INVALID',
    async (_c, digest) => {
      await expectOciError(
        await fetch(v2(server(), `${repo}/manifests/${digest}`)),
        400,
        'DIGEST_INVALID',
      );
    },
  );

  it('refuses ?digest= with an invalid digest on PUT and keeps the session', async () => {
    const upload = await startUpload(server(), repo);
    await patchChunk(upload, randomBlob(10), 0);

    const res = await fetch(withQuery(upload, { digest: `sha256:${'A'.repeat(64)}` }), {
      method: 'PUT',
    });

    await expectOciError(res, 400, 'DIGEST_INVALID');
    expect(await uploadRange(upload)).toBe('0-9');
  });

  it('refuses ?digest= with an invalid digest on a monolithic POST and keeps no session', async () => {
    const before = await server().berth.registry.meta.countUploads();

    const res = await fetch(v2(server(), `${repo}/blobs/uploads/?digest=md5:${'a'.repeat(32)}`), {
      method: 'POST',
      body: randomBlob(10),
    });

    await expectOciError(res, 400, 'DIGEST_INVALID');
    expect(await server().berth.registry.meta.countUploads()).toBe(before);
  });

  it('answers a GET of a malformed tag with 404 MANIFEST_UNKNOWN', async () => {
    for (const tag of ['-leading-dash', '.hidden', 'a'.repeat(129), 'semver+build']) {
      const res = await fetch(v2(server(), `${repo}/manifests/${encodeURIComponent(tag)}`));
      await expectOciError(res, 404, 'MANIFEST_UNKNOWN');
    }
  });

  it('refuses a push under a malformed tag with 400 MANIFEST_INVALID', async () => {
    await pushBlob(server(), repo, emptyConfig.bytes);
    const manifest = imageManifest({ config: emptyConfig });

    for (const tag of ['-leading-dash', '.hidden', 'a'.repeat(129)]) {
      await expectOciError(
        await putManifest(server(), repo, tag, manifest),
        400,
        'MANIFEST_INVALID',
      );
    }
    await expectOciError(
      await putManifest(server(), repo, 'ok?tag=bad%21tag', manifest),
      400,
      'MANIFEST_INVALID',
    );
  });

  it('refuses more than 100 ?tag= values with 414', async () => {
    const tags = Array.from({ length: 101 }, (_, i) => `tag=t${i}`).join('&');
    const manifest = imageManifest({ config: emptyConfig });

    const res = await putManifest(
      server(),
      repo,
      `${sha256(Buffer.from(JSON.stringify(manifest)))}?${tags}`,
      manifest,
    );

    await expectOciError(res, 414, 'MANIFEST_INVALID');
  });
});

describe('malformed Content-Range on PATCH', () => {
  const ranges = ['bytes=abc', '5-2', '0-', '-5', 'a-b', '0-99999999999999999999999', '1-1-1'];

  it.each(ranges)(
    'answers Content-Range "%s" with 416 BLOB_UPLOAD_INVALID and keeps the offset',
    async (range) => {
      const upload = await startUpload(server(), uniqueRepo('range'));
      await patchChunk(upload, randomBlob(10), 0);

      const res = await fetch(upload, {
        method: 'PATCH',
        headers: { 'content-range': range },
        body: randomBlob(10),
      });

      await expectOciError(res, 416, 'BLOB_UPLOAD_INVALID');
      expect(await uploadRange(upload)).toBe('0-9');
    },
  );

  it('refuses a chunk whose length disagrees with its Content-Range, with no uncaught stream error', async () => {
    const upload = await startUpload(server(), uniqueRepo('range'));
    await patchChunk(upload, randomBlob(10), 0);

    const short = await fetch(upload, {
      method: 'PATCH',
      headers: { 'content-range': '10-109' },
      body: randomBlob(10),
    });
    const long = await fetch(upload, {
      method: 'PATCH',
      headers: { 'content-range': '10-14' },
      body: randomBlob(10),
    });

    await expectOciError(short, 400, 'SIZE_INVALID');
    await expectOciError(long, 400, 'SIZE_INVALID');
    expect(await uploadRange(upload)).toBe('0-9');
  });
});

describe('truncated uploads', () => {
  it('keeps the session offset when a PATCH stops halfway and the client disconnects', async () => {
    const repo = uniqueRepo('trunc');
    const bytes = randomBlob(200_000);
    const upload = await startUpload(server(), repo);
    await patchChunk(upload, bytes.subarray(0, 1000), 0);

    await sendTruncated(
      'PATCH',
      new URL(upload).pathname,
      { 'content-length': 100_000, 'content-range': '1000-100999' },
      bytes.subarray(1000, 51_000),
    );

    const resumed = await patchChunk(upload, bytes.subarray(1000), 1000);
    expect(resumed.status).toBe(202);
    expect(resumed.headers.get('range')).toBe('0-199999');
    expect(
      (await fetch(withQuery(upload, { digest: sha256(bytes) }), { method: 'PUT' })).status,
    ).toBe(201);
  });

  it('keeps the offset when a streamed PATCH without a length is cut off', async () => {
    const upload = await startUpload(server(), uniqueRepo('trunc'));
    await patchChunk(upload, randomBlob(10), 0);

    await sendTruncated(
      'PATCH',
      new URL(upload).pathname,
      { 'transfer-encoding': 'chunked' },
      Buffer.concat([Buffer.from('2710\r\n'), randomBlob(5000)]),
    );

    expect((await patchChunk(upload, randomBlob(5), 10)).status).toBe(202);
    expect(await uploadRange(upload)).toBe('0-14');
  });

  it('stores no blob and keeps no session when a monolithic POST is cut off', async () => {
    const repo = uniqueRepo('trunc');
    const bytes = randomBlob(100_000);
    const before = await server().berth.registry.meta.countUploads();

    await sendTruncated(
      'POST',
      `/v2/${repo}/blobs/uploads/?digest=${sha256(bytes)}`,
      { 'content-length': bytes.length },
      bytes.subarray(0, 50_000),
    );
    await fetch(`${server().url}/v2/`);

    expect(await blobExists(server(), repo, sha256(bytes))).toBe(false);
    expect(await blobExists(server(), repo, sha256(bytes.subarray(0, 50_000)))).toBe(false);
    await expect.poll(() => server().berth.registry.meta.countUploads()).toBe(before);
  });

  it('stores no blob when the last chunk of a PUT is cut off', async () => {
    const repo = uniqueRepo('trunc');
    const bytes = randomBlob(100_000);
    const upload = await startUpload(server(), repo);
    await patchChunk(upload, bytes.subarray(0, 10), 0);

    await sendTruncated(
      'PUT',
      `${new URL(upload).pathname}?digest=${sha256(bytes)}`,
      { 'content-length': bytes.length - 10, 'content-range': `10-${bytes.length - 1}` },
      bytes.subarray(10, 50_000),
    );

    expect((await patchChunk(upload, bytes.subarray(10, 20), 10)).status).toBe(202);
    expect(await blobExists(server(), repo, sha256(bytes))).toBe(false);
  });

  it('keeps serving after clients hang up mid-request', async () => {
    const res = await fetch(`${server().url}/v2/`);

    expect(res.status).toBe(200);
  });
});

describe('digest mismatch on upload PUT', () => {
  it('answers 400 DIGEST_INVALID and neither the claimed nor the real digest appears', async () => {
    const repo = uniqueRepo('mismatch');
    const bytes = randomBlob(100);
    const claimed = sha256(randomBlob(100));
    const upload = await startUpload(server(), repo);

    const res = await fetch(withQuery(upload, { digest: claimed }), { method: 'PUT', body: bytes });

    await expectOciError(res, 400, 'DIGEST_INVALID');
    expect(await blobExists(server(), repo, claimed)).toBe(false);
    expect(await blobExists(server(), repo, sha256(bytes))).toBe(false);
  });
});

describe('malformed manifests', () => {
  let repo: string;
  beforeAll(async () => {
    repo = uniqueRepo('badman');
    await pushBlob(server(), repo, emptyConfig.bytes);
  });

  const valid = () => imageManifest({ config: emptyConfig }) as Record<string, unknown>;
  const config = (patch: Record<string, unknown>) => ({
    ...valid(),
    config: { ...emptyConfig, bytes: undefined, ...patch },
  });

  const unparsable: [string, string | Buffer][] = [
    ['an empty body', ''],
    ['truncated JSON', '{"schemaVersion": 2, "config": {'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"manifest"'],
    ['binary garbage', randomBlob(300)],
    [
      'JSON behind a byte-order mark',
      `\ufeff${JSON.stringify(imageManifest({ config: emptyConfig }))}`,
    ],
    ['deeply nested arrays', '['.repeat(100_000) + ']'.repeat(100_000)],
  ];

  it.each(unparsable)('refuses %s with 400 MANIFEST_INVALID', async (_case, body) => {
    await expectOciError(await putManifest(server(), repo, 'bad', body), 400, 'MANIFEST_INVALID');
  });

  const wrongTypes: [string, Record<string, unknown>][] = [
    ['schemaVersion as a string', { ...valid(), schemaVersion: '2' }],
    ['schemaVersion 3', { ...valid(), schemaVersion: 3 }],
    ['no config', { ...valid(), config: undefined }],
    ['config as an array', { ...valid(), config: [] }],
    ['config.size as a string', config({ size: '2' })],
    ['a negative config.size', config({ size: -1 })],
    ['a fractional config.size', config({ size: 1.5 })],
    ['config.digest as a number', config({ digest: 42 })],
    ['an empty config.mediaType', config({ mediaType: '' })],
    ['layers as an object', { ...valid(), layers: {} }],
    ['a layer that is a number', { ...valid(), layers: [1] }],
    [
      'a layer with an uppercase digest',
      {
        ...valid(),
        layers: [{ ...emptyConfig, bytes: undefined, digest: emptyConfig.digest.toUpperCase() }],
      },
    ],
    ['annotations with a number value', { ...valid(), annotations: { a: 1 } }],
    ['annotations as an array', { ...valid(), annotations: ['a'] }],
    ['mediaType as a number', { ...valid(), mediaType: 5 }],
    ['an unknown mediaType', { ...valid(), mediaType: 'application/vnd.example+json' }],
    ['artifactType as a number', { ...valid(), artifactType: 7 }],
    ['subject as a string', { ...valid(), subject: 'sha256:abc' }],
  ];

  it.each(wrongTypes)(
    'refuses a manifest with %s with 400 MANIFEST_INVALID',
    async (_case, manifest) => {
      await expectOciError(
        await putManifest(server(), repo, 'bad', manifest),
        400,
        'MANIFEST_INVALID',
      );
    },
  );

  it('refuses an index whose manifests field is not an array', async () => {
    const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: {} };

    const res = await putManifest(server(), repo, 'bad', index, MediaType.ociIndex);

    await expectOciError(res, 400, 'MANIFEST_INVALID');
  });

  it('refuses a manifest whose mediaType contradicts the Content-Type', async () => {
    const asIndex = await putManifest(server(), repo, 'bad', valid(), MediaType.ociIndex);
    const asDocker = await putManifest(server(), repo, 'bad', valid(), MediaType.dockerManifest);

    await expectOciError(asIndex, 400, 'MANIFEST_INVALID');
    await expectOciError(asDocker, 400, 'MANIFEST_INVALID');
  });

  it('stores nothing for any refused manifest', async () => {
    await expectOciError(
      await fetch(v2(server(), `${repo}/manifests/bad`)),
      404,
      'MANIFEST_UNKNOWN',
    );
  });
});

describe('oversized and malformed HTTP', () => {
  it('answers a huge header with 431 in the spec error shape and keeps serving', async () => {
    const res = await sendRaw(
      `GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(70_000)}\r\n\r\n`,
    );

    expect(res.status).toBe(431);
    expectErrorShape(JSON.parse(res.body));
    expect((await fetch(`${server().url}/v2/`)).status).toBe(200);
  });

  const malformed: [string, string][] = [
    [
      'a non-numeric Content-Length',
      'PUT /v2/a/manifests/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    ],
    ['a header line without a colon', 'GET /v2/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    ['a garbage request line', 'GARBAGE\r\n\r\n'],
    [
      'both Content-Length and chunked',
      'PATCH /v2/a/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ];

  it.each(malformed)('answers %s with 400 in the spec error shape', async (_case, request) => {
    const res = await sendRaw(request);

    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { errors: { code: string }[] };
    expectErrorShape(body);
    expect(body.errors[0]?.code).toBe('UNSUPPORTED');
  });

  it('answers a huge Accept header on a manifest GET without a 5xx', async () => {
    const accept = Array.from({ length: 500 }, (_, i) => `application/x-${i}`).join(', ');

    const res = await rawRequest(server(), 'GET', `/v2/${uniqueRepo('x')}/manifests/latest`, {
      accept,
    });

    expectRawError(res, 404, 'MANIFEST_UNKNOWN');
  });

  it('answers a method the endpoint does not support with 405 UNSUPPORTED and Allow', async () => {
    const res = await fetch(v2(server(), `${uniqueRepo('x')}/manifests/latest`), {
      method: 'PATCH',
    });

    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
    await expectOciError(res, 405, 'UNSUPPORTED');
  });
});

describe('after all of the above', () => {
  it('answered every hostile request without a 5xx and still pushes and pulls', async () => {
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    const image = await pushImage(server(), uniqueRepo('after'), 'v1');

    expect(metrics).toContain('berth_http_requests_total');
    expect(metrics).not.toMatch(/berth_http_requests_total\{[^}]*status="5\d\d"/);
    expect(image.digest).toMatch(/^sha256:/);
  });
});
