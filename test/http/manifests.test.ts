import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/oci/digest.js';
import {
  descriptorOf,
  emptyConfig,
  expectOciError,
  imageIndex,
  imageManifest,
  layerMediaType,
  MediaType,
  manifestBytes,
  pushBlob,
  pushImage,
  pushManifest,
  putManifest,
  randomBlob,
  rawRequest,
  sha256,
  uniqueRepo,
  v2,
  type OciErrorBody,
} from '../support/registry-client.js';
import { startTestServer, tempDir, useTestServer } from '../support/server.js';

const fourMiB = 4 * 1024 * 1024;

const server = useTestServer();

function getManifest(repo: string, reference: string, init: RequestInit = {}): Promise<Response> {
  return fetch(v2(server(), `${repo}/manifests/${reference}`), init);
}

/** A repository holding the empty config, so that artifact manifests can be pushed into it. */
async function repoWithEmptyConfig(): Promise<string> {
  const repo = uniqueRepo('man');
  await pushBlob(server(), repo, emptyConfig.bytes);

  return repo;
}

/** An artifact manifest padded with an annotation to exactly `size` bytes. */
function manifestOfSize(size: number): Buffer {
  const shape = (pad: string) =>
    manifestBytes(imageManifest({ config: emptyConfig, annotations: { pad } }));
  const overhead = shape('').length;

  return shape('x'.repeat(size - overhead));
}

/** A valid artifact manifest whose bytes no JSON serialiser would produce. */
function oddlyFormattedManifest(): Buffer {
  const text =
    '{\r\n\t"schemaVersion" :2 ,  "layers":[ ],\n "config":{"size":2,"digest":' +
    `"${emptyConfig.digest}" ,"mediaType":"${MediaType.ociEmpty}"},` +
    '"annotations":{"note":"caf\\u00e9 \u2603"},\n\n "mediaType":' +
    `"${MediaType.ociManifest}"}   \n`;

  return Buffer.from(text);
}

describe('PUT and GET /v2/<name>/manifests/<reference>', () => {
  it('answers a push by tag with 201, Location by digest and Docker-Content-Digest', async () => {
    const repo = await repoWithEmptyConfig();
    const bytes = manifestBytes(imageManifest({ config: emptyConfig }));

    const res = await putManifest(server(), repo, 'v1', bytes);

    expect(res.status).toBe(201);
    expect(res.headers.get('docker-content-digest')).toBe(sha256(bytes));
    expect(res.headers.get('location')).toBe(`/v2/${repo}/manifests/${sha256(bytes)}`);
  });

  it('serves the manifest by tag and by digest with its type, length and digest', async () => {
    const repo = uniqueRepo('man');
    const image = await pushImage(server(), repo, 'v1');

    for (const reference of ['v1', image.digest]) {
      const res = await getManifest(repo, reference);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(MediaType.ociManifest);
      expect(res.headers.get('content-length')).toBe(String(image.bytes.length));
      expect(res.headers.get('docker-content-digest')).toBe(image.digest);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(image.bytes);
    }
  });

  it('answers HEAD with the same headers as GET and no body', async () => {
    const repo = uniqueRepo('man');
    const image = await pushImage(server(), repo, 'v1');

    const res = await getManifest(repo, 'v1', { method: 'HEAD' });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(MediaType.ociManifest);
    expect(res.headers.get('content-length')).toBe(String(image.bytes.length));
    expect(res.headers.get('docker-content-digest')).toBe(image.digest);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('stores the pushed bytes exactly, odd whitespace, key order and escapes included', async () => {
    const repo = await repoWithEmptyConfig();
    const bytes = oddlyFormattedManifest();

    const digest = await pushManifest(server(), repo, 'odd', bytes);
    const res = await getManifest(repo, 'odd');

    expect(digest).toBe(sha256(bytes));
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });

  it('serves the exact bytes from storage after a restart, not only from memory', async () => {
    const dataDir = tempDir();
    const repo = uniqueRepo('man');
    const bytes = oddlyFormattedManifest();
    try {
      const before = await startTestServer({ dataDir });
      await pushBlob(before, repo, emptyConfig.bytes);
      await pushManifest(before, repo, 'odd', bytes);
      await before.close();

      const after = await startTestServer({ dataDir });
      const res = await fetch(v2(after, `${repo}/manifests/odd`));
      const body = Buffer.from(await res.arrayBuffer());
      await after.close();

      expect(body).toEqual(bytes);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('accepts a push by digest and refuses one whose digest does not match the body', async () => {
    const repo = await repoWithEmptyConfig();
    const bytes = manifestBytes(imageManifest({ config: emptyConfig }));

    const matching = await putManifest(server(), repo, sha256(bytes), bytes);
    const mismatched = await putManifest(server(), repo, sha256(randomBlob(9)), bytes);

    expect(matching.status).toBe(201);
    await expectOciError(mismatched, 400, 'DIGEST_INVALID');
  });

  it('applies every ?tag= of a push by digest', async () => {
    const repo = await repoWithEmptyConfig();
    const bytes = manifestBytes(imageManifest({ config: emptyConfig }));

    const res = await putManifest(server(), repo, `${sha256(bytes)}?tag=a&tag=b`, bytes);

    expect(res.status).toBe(201);
    expect(res.headers.get('oci-tag')).toBe('a, b');
    expect((await getManifest(repo, 'a')).status).toBe(200);
    expect((await getManifest(repo, 'b')).status).toBe(200);
  });

  it('moves a tag to the manifest pushed under it last', async () => {
    const repo = uniqueRepo('man');
    await pushImage(server(), repo, 'latest');
    const second = await pushImage(server(), repo, 'latest');

    const res = await getManifest(repo, 'latest');

    expect(res.headers.get('docker-content-digest')).toBe(second.digest);
  });

  it('answers an unknown tag, digest or repository with 404 MANIFEST_UNKNOWN', async () => {
    const repo = uniqueRepo('man');
    await pushImage(server(), repo, 'v1');

    await expectOciError(await getManifest(repo, 'v2'), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await getManifest(repo, sha256(randomBlob(3))), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await getManifest(uniqueRepo('none'), 'v1'), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('sha512 digests', () => {
  it('takes a manifest pushed by sha512 digest and serves it by that digest', async () => {
    const repo = uniqueRepo('man');
    const config = Buffer.from('{"os":"linux"}');
    const layer = randomBlob(100);
    await pushBlob(server(), repo, config, 'sha512');
    await pushBlob(server(), repo, layer, 'sha512');
    const bytes = manifestBytes(
      imageManifest({
        config: descriptorOf(config, MediaType.ociConfig, 'sha512'),
        layers: [descriptorOf(layer, layerMediaType, 'sha512')],
      }),
    );
    const digest = digestOf(bytes, 'sha512');

    const put = await putManifest(server(), repo, digest, bytes);
    const res = await getManifest(repo, digest);

    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(digest);
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
  });
});

describe('manifest validation', () => {
  it('refuses an image manifest whose layer is not in the repository with MANIFEST_BLOB_UNKNOWN', async () => {
    const repo = await repoWithEmptyConfig();
    const missing = descriptorOf(randomBlob(64));
    const manifest = imageManifest({ config: emptyConfig, layers: [missing] });

    const res = await putManifest(server(), repo, 'v1', manifest);

    const body = await expectOciError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    expect(JSON.stringify(body.errors[0]?.detail)).toContain(missing.digest);
    await expectOciError(await getManifest(repo, 'v1'), 404, 'MANIFEST_UNKNOWN');
  });

  it('refuses an image manifest whose config is missing with MANIFEST_BLOB_UNKNOWN', async () => {
    const repo = uniqueRepo('man');

    const res = await putManifest(server(), repo, 'v1', imageManifest({ config: emptyConfig }));

    await expectOciError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('refuses a blob that exists only in another repository', async () => {
    const repo = await repoWithEmptyConfig();
    const layer = randomBlob(64);
    await pushBlob(server(), uniqueRepo('elsewhere'), layer);
    const manifest = imageManifest({ config: emptyConfig, layers: [descriptorOf(layer)] });

    const res = await putManifest(server(), repo, 'v1', manifest);

    await expectOciError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('does not require foreign layers to be in the registry', async () => {
    const repo = await repoWithEmptyConfig();
    const foreign = {
      ...descriptorOf(randomBlob(64), 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip'),
      urls: ['https://example.com/layer'],
    };

    const res = await putManifest(
      server(),
      repo,
      'v1',
      imageManifest({ config: emptyConfig, layers: [foreign] }),
    );

    expect(res.status).toBe(201);
  });

  it('refuses an index whose child manifest is not in the repository', async () => {
    const repo = uniqueRepo('man');
    const child = await pushImage(server(), repo, 'child');
    const absent = descriptorOf(randomBlob(64), MediaType.ociManifest);

    const res = await putManifest(
      server(),
      repo,
      'multi',
      imageIndex([child.descriptor, absent]),
      MediaType.ociIndex,
    );

    const body = await expectOciError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    expect(JSON.stringify(body.errors[0]?.detail)).toContain(absent.digest);
  });

  it('accepts a manifest of exactly 4 MiB', async () => {
    const repo = await repoWithEmptyConfig();
    const bytes = manifestOfSize(fourMiB);

    const digest = await pushManifest(server(), repo, 'big', bytes);
    const res = await getManifest(repo, digest, { method: 'HEAD' });

    expect(bytes.length).toBe(fourMiB);
    expect(res.headers.get('content-length')).toBe(String(fourMiB));
  });

  it('refuses a manifest over 4 MiB with 413', async () => {
    const repo = await repoWithEmptyConfig();

    const res = await putManifest(server(), repo, 'huge', manifestOfSize(fourMiB + 1));

    await expectOciError(res, 413, 'MANIFEST_INVALID');
    expect((await fetch(`${server().url}/v2/`)).status).toBe(200);
  });

  it('refuses a manifest over 4 MiB sent without a Content-Length with 413', async () => {
    const repo = await repoWithEmptyConfig();
    const bytes = manifestOfSize(fourMiB + 1000);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 65536)
          controller.enqueue(bytes.subarray(i, i + 65536));
        controller.close();
      },
    });

    const res = await fetch(v2(server(), `${repo}/manifests/huge`), {
      method: 'PUT',
      headers: { 'content-type': MediaType.ociManifest },
      body,
      duplex: 'half',
    } as RequestInit);

    await expectOciError(res, 413, 'MANIFEST_INVALID');
  });
});

describe('Docker schema 2 manifests and manifest lists', () => {
  it('stores a Docker image manifest and a manifest list and serves them with their types', async () => {
    const repo = uniqueRepo('docker');
    const image = await pushImage(server(), repo, 'amd64', {
      mediaType: MediaType.dockerManifest,
      configMediaType: 'application/vnd.docker.container.image.v1+json',
      layerMediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    });
    const list = imageIndex(
      [{ ...image.descriptor, platform: { os: 'linux', architecture: 'amd64' } } as never],
      MediaType.dockerManifestList,
    );

    const digest = await pushManifest(server(), repo, 'latest', list, MediaType.dockerManifestList);
    const res = await getManifest(repo, 'latest', {
      headers: { accept: `${MediaType.dockerManifestList}, ${MediaType.dockerManifest}` },
    });
    const child = await getManifest(repo, image.digest, {
      headers: { accept: MediaType.dockerManifest },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(MediaType.dockerManifestList);
    expect(res.headers.get('docker-content-digest')).toBe(digest);
    expect(child.headers.get('content-type')).toBe(MediaType.dockerManifest);
  });

  it('refuses a Docker schema 1 manifest with MANIFEST_INVALID', async () => {
    const repo = uniqueRepo('docker');
    const schema1 = { schemaVersion: 1, name: repo, tag: 'old', fsLayers: [], history: [] };

    const res = await putManifest(server(), repo, 'old', schema1, MediaType.dockerSchema1Signed);

    await expectOciError(res, 400, 'MANIFEST_INVALID');
  });
});

describe('artifact manifests', () => {
  it('stores an artifact with artifactType and the empty config and serves it back', async () => {
    const repo = await repoWithEmptyConfig();
    const payload = randomBlob(40);
    await pushBlob(server(), repo, payload);
    const bytes = manifestBytes(
      imageManifest({
        artifactType: 'application/vnd.example.thing.v1',
        config: emptyConfig,
        layers: [descriptorOf(payload, 'application/vnd.example.thing.layer.v1')],
      }),
    );

    const digest = await pushManifest(server(), repo, 'thing', bytes);
    const manifest = await getManifest(repo, 'thing');
    const config = await fetch(v2(server(), `${repo}/blobs/${emptyConfig.digest}`));

    expect(digest).toBe(sha256(bytes));
    expect(Buffer.from(await manifest.arrayBuffer())).toEqual(bytes);
    expect(await config.text()).toBe('{}');
  });
});

describe('content negotiation on manifest GET', () => {
  let repo: string;
  beforeAll(async () => {
    repo = uniqueRepo('accept');
    await pushImage(server(), repo, 'v1');
  });

  const docker = [MediaType.dockerManifestList, MediaType.dockerManifest];
  const acceptable: [string, string][] = [
    [
      'a comma-joined list that names the type anywhere',
      [...docker, MediaType.ociManifest].join(', '),
    ],
    ['the same list in another order', [MediaType.ociManifest, ...docker].join(',')],
    ['a type with parameters and q-values', `${MediaType.ociManifest}; q=0.5, */*;q=0.1`],
    ['a wildcard', '*/*'],
    ['an application wildcard', 'application/*'],
  ];

  it.each(acceptable)('serves the manifest for %s', async (_case, accept) => {
    const res = await getManifest(repo, 'v1', { headers: { accept } });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(MediaType.ociManifest);
  });

  it('treats a request without Accept as accepting anything', async () => {
    const res = await rawRequest(server(), 'GET', `/v2/${repo}/manifests/v1`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(MediaType.ociManifest);
  });

  it('reads every Accept header when a client sends several', async () => {
    const res = await rawRequest(server(), 'GET', `/v2/${repo}/manifests/v1`, {
      accept: [MediaType.dockerManifest, MediaType.ociManifest],
    });

    expect(res.status).toBe(200);
  });

  it('answers an Accept that excludes the stored type with 404 MANIFEST_UNKNOWN naming it', async () => {
    const res = await getManifest(repo, 'v1', { headers: { accept: docker.join(', ') } });

    const body: OciErrorBody = await expectOciError(res, 404, 'MANIFEST_UNKNOWN');
    expect(body.errors[0]?.message).toContain(MediaType.ociManifest);
  });

  it('answers such a HEAD with 404 and no body', async () => {
    const res = await getManifest(repo, 'v1', {
      method: 'HEAD',
      headers: { accept: MediaType.ociIndex },
    });

    expect(res.status).toBe(404);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('conditional and negotiated manifest GETs', () => {
  it('answers 304 without a body to a client that already holds the digest as its ETag', async () => {
    const repo = uniqueRepo('man');
    const image = await pushImage(server(), repo, 'v1');

    for (const tag of [`"${image.digest}"`, `W/"${image.digest}"`, '*']) {
      const res = await getManifest(repo, 'v1', { headers: { 'if-none-match': tag } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(`"${image.digest}"`);
      expect(await res.text()).toBe('');
    }
    const other = await getManifest(repo, 'v1', { headers: { 'if-none-match': '"sha256:other"' } });
    expect(other.status).toBe(200);
  });

  it('treats a type listed with q=0 as refused (RFC 9110 §12.4.2)', async () => {
    const repo = uniqueRepo('man');
    await pushImage(server(), repo, 'v1');

    const refused = await getManifest(repo, 'v1', {
      headers: { accept: `${MediaType.ociManifest};q=0` },
    });
    const accepted = await getManifest(repo, 'v1', {
      headers: { accept: `${MediaType.ociManifest};q=0.5` },
    });

    await expectOciError(refused, 404, 'MANIFEST_UNKNOWN');
    expect(accepted.status).toBe(200);
  });
});

describe('DELETE /v2/<name>/manifests/<reference>', () => {
  it('deletes a tag but keeps its manifest and the other tags on it', async () => {
    const repo = uniqueRepo('del');
    const image = await pushImage(server(), repo, 'v1');
    await pushManifest(server(), repo, 'stable', image.bytes);

    const res = await getManifest(repo, 'v1', { method: 'DELETE' });

    expect(res.status).toBe(202);
    await expectOciError(await getManifest(repo, 'v1'), 404, 'MANIFEST_UNKNOWN');
    expect((await getManifest(repo, image.digest)).status).toBe(200);
    expect((await getManifest(repo, 'stable')).status).toBe(200);
    const tags = await fetch(v2(server(), `${repo}/tags/list`));
    expect(((await tags.json()) as { tags: string[] }).tags).toEqual(['stable']);
  });

  it('deletes a manifest by digest together with every tag pointing at it', async () => {
    const repo = uniqueRepo('del');
    const image = await pushImage(server(), repo, 'v1');
    await pushManifest(server(), repo, 'stable', image.bytes);

    const res = await getManifest(repo, image.digest, { method: 'DELETE' });

    expect(res.status).toBe(202);
    for (const reference of [image.digest, 'v1', 'stable']) {
      await expectOciError(await getManifest(repo, reference), 404, 'MANIFEST_UNKNOWN');
    }
  });

  it('answers a delete of an unknown tag or digest with 404 MANIFEST_UNKNOWN', async () => {
    const repo = uniqueRepo('del');
    await pushImage(server(), repo, 'v1');

    const tag = await getManifest(repo, 'nope', { method: 'DELETE' });
    const digest = await getManifest(repo, sha256(randomBlob(5)), { method: 'DELETE' });

    await expectOciError(tag, 404, 'MANIFEST_UNKNOWN');
    await expectOciError(digest, 404, 'MANIFEST_UNKNOWN');
  });
});
