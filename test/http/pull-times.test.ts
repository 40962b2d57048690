import SQLite from 'better-sqlite3';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MediaType,
  pushImage,
  uniqueRepo,
  v2,
  type PushedImage,
} from '../support/registry-client.js';
import { startTestServer, tempDir } from '../support/server.js';

interface Times {
  before: number;
  tag: number | null;
  manifest: number | null;
  pushed: number;
  layer: number | null;
}

/**
 * Pushes an image, runs `pull` against it, stops the server (pull times are batched in memory
 * and written at the latest on shutdown) and reads the recorded times from the database.
 */
async function pullTimes(
  pull: (url: (path: string) => string, image: PushedImage) => Promise<void>,
): Promise<Times> {
  const dataDir = tempDir();
  const server = await startTestServer({ dataDir });
  const repo = uniqueRepo('pulls');
  const image = await pushImage(server, repo, 'v1');
  const before = Date.now();
  await pull((p) => v2(server, `${repo}/${p}`), image);
  await server.close();

  const db = new SQLite(path.join(dataDir, 'berth.db'), { readonly: true });
  const value = (sql: string, arg: string) => db.prepare(sql).pluck().get(arg) as number | null;
  const times = {
    before,
    tag: value('SELECT last_pulled_at FROM tags WHERE name = ?', 'v1'),
    manifest: value('SELECT last_pulled_at FROM manifests WHERE digest = ?', image.digest),
    pushed: value('SELECT pushed_at FROM manifests WHERE digest = ?', image.digest) as number,
    layer: value(
      'SELECT last_pulled_at FROM repository_blobs WHERE digest = ?',
      image.layers[0]!.digest,
    ),
  };
  db.close();
  rmSync(dataDir, { recursive: true, force: true });

  return times;
}

const accept = { headers: { accept: MediaType.ociManifest } };

/** Push and pull times are what retention and garbage collection will decide by. */
describe('recorded push and pull times', () => {
  it('records a pull by tag on the tag and on the manifest, after the push time', async () => {
    const times = await pullTimes(async (url) => void (await fetch(url('manifests/v1'), accept)));

    expect(times.tag).toBeGreaterThanOrEqual(times.before);
    expect(times.manifest).toBeGreaterThanOrEqual(times.before);
    expect(times.pushed).toBeLessThanOrEqual(times.before);
  });

  it('records a pull by digest on the manifest only', async () => {
    const times = await pullTimes(async (url, image) => {
      await fetch(url(`manifests/${image.digest}`), accept);
    });

    expect(times.tag).toBeNull();
    expect(times.manifest).toBeGreaterThanOrEqual(times.before);
    expect(times.layer).toBeNull();
  });

  it('records a blob GET on that repository link of the blob', async () => {
    const times = await pullTimes(async (url, image) => {
      await (await fetch(url(`blobs/${image.layers[0]!.digest}`))).arrayBuffer();
    });

    expect(times.layer).toBeGreaterThanOrEqual(times.before);
    expect(times.manifest).toBeNull();
  });

  it('does not count a HEAD as a pull, so tag pollers do not keep images looking used', async () => {
    const times = await pullTimes(async (url) => {
      await fetch(url('manifests/v1'), { method: 'HEAD' });
    });

    expect(times.tag).toBeNull();
    expect(times.manifest).toBeNull();
  });
});
