import { describe, expect, it } from 'vitest';
import {
  descriptorOf,
  imageManifest,
  manifestBytes,
  MediaType,
  pushBlob,
  putManifest,
  randomBlob,
  sha256,
  startUpload,
  uniqueRepo,
  v2,
  withQuery,
} from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

/** Many clients pushing the same content at once must all succeed and agree on the result. */
describe('concurrent pushes', () => {
  const server = useTestServer();

  it('accepts the same blob pushed by 16 sessions at once and serves it whole', async () => {
    const repo = uniqueRepo('race');
    const blob = randomBlob(3 * 1024 * 1024);
    const digest = sha256(blob);

    const sessions = await Promise.all(
      Array.from({ length: 16 }, () => startUpload(server(), repo)),
    );
    const results = await Promise.all(
      sessions.map((url) =>
        fetch(withQuery(url, { digest }), {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: blob,
        }),
      ),
    );

    expect(results.map((r) => r.status)).toEqual(Array(16).fill(201));
    const pulled = Buffer.from(
      await (await fetch(v2(server(), `${repo}/blobs/${digest}`))).arrayBuffer(),
    );
    expect(sha256(pulled)).toBe(digest);
  });

  it('accepts the same blob pushed into 8 repositories at once', async () => {
    const blob = randomBlob(512 * 1024);
    const repos = Array.from({ length: 8 }, () => uniqueRepo('race'));

    const digests = await Promise.all(repos.map((repo) => pushBlob(server(), repo, blob)));

    expect(new Set(digests).size).toBe(1);
    for (const repo of repos) {
      expect(
        (await fetch(v2(server(), `${repo}/blobs/${digests[0]}`), { method: 'HEAD' })).status,
      ).toBe(200);
    }
  });

  it('leaves a tag pushed by 12 clients at once pointing at one of their manifests, whole', async () => {
    const repo = uniqueRepo('race');
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    await pushBlob(server(), repo, config);
    const manifests = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const layer = randomBlob(64);
        await pushBlob(server(), repo, layer);
        return manifestBytes(
          imageManifest({
            config: descriptorOf(config, MediaType.ociConfig),
            layers: [descriptorOf(layer)],
          }),
        );
      }),
    );

    const results = await Promise.all(
      manifests.map((body) => putManifest(server(), repo, 'latest', body)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));

    const current = await fetch(v2(server(), `${repo}/manifests/latest`), {
      headers: { accept: MediaType.ociManifest },
    });
    const body = Buffer.from(await current.arrayBuffer());
    expect(manifests.some((m) => m.equals(body))).toBe(true);
    expect(current.headers.get('docker-content-digest')).toBe(sha256(body));
    const tags = (await (await fetch(v2(server(), `${repo}/tags/list`))).json()) as {
      tags: string[];
    };
    expect(tags.tags).toEqual(['latest']);
  });

  it('serialises concurrent chunks on one session: exactly one of two racing chunks at the same offset wins', async () => {
    const repo = uniqueRepo('race');
    const url = await startUpload(server(), repo);
    const a = randomBlob(256 * 1024);
    const b = randomBlob(256 * 1024);

    const send = (chunk: Buffer) =>
      fetch(url, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `0-${chunk.length - 1}`,
        },
        body: chunk,
      });
    const statuses = (await Promise.all([send(a), send(b)])).map((r) => r.status).sort();

    expect(statuses).toEqual([202, 416]);
    const status = await fetch(url);
    expect(status.headers.get('range')).toBe(`0-${a.length - 1}`);
  });
});
