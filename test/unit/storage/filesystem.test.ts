import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/oci/digest.js';
import { FilesystemBlobStore } from '../../../src/storage/filesystem.js';
import { blobStoreSuite } from './blobstore-suite.js';

blobStoreSuite('filesystem', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'berth-fs-'));
  const store = await FilesystemBlobStore.open(root);

  return {
    store,
    async dispose() {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('FilesystemBlobStore layout', () => {
  let parent: string;
  let root: string;
  let store: FilesystemBlobStore;

  beforeEach(async () => {
    parent = await mkdtemp(path.join(os.tmpdir(), 'berth-fs-layout-'));
    root = path.join(parent, 'root');
    store = await FilesystemBlobStore.open(root);
  });
  afterEach(async () => {
    await store.close();
    await rm(parent, { recursive: true, force: true });
  });

  it('stores a committed blob at blobs/<algorithm>/<first two hex>/<hex>', async () => {
    const data = Buffer.from('layout');
    const digest = digestOf(data);
    const hex = digest.slice('sha256:'.length);
    const id = randomUUID();
    await store.createUpload(id);
    await store.append(id, 0, Readable.from([data]));

    await store.commit(id, digest);

    const file = path.join(root, 'blobs', 'sha256', hex.slice(0, 2), hex);
    expect(await readFile(file)).toEqual(data);
  });

  it('leaves no staging or temporary files behind after commit and writeAll', async () => {
    const committed = Buffer.from('committed');
    const written = Buffer.from('written');
    const id = randomUUID();
    await store.createUpload(id);
    await store.append(id, 0, Readable.from([committed]));

    await store.commit(id, digestOf(committed));
    await store.writeAll(digestOf(written), written);

    expect(await readdir(path.join(root, 'uploads'))).toEqual([]);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    expect((await tree(root)).sort()).toEqual(
      [blobFile(committed), blobFile(written)].map((f) => path.join('blobs', f)).sort(),
    );
  });

  it('clears leftover temporary files when opened', async () => {
    await writeFile(path.join(root, 'tmp', 'crashed-write'), 'partial');

    const reopened = await FilesystemBlobStore.open(root);

    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    await reopened.close();
  });

  it('touches nothing outside its root for path-traversal names', async () => {
    const victim = path.join(parent, 'victim');
    await writeFile(victim, 'precious');
    const outside = await tree(parent);
    const digest = digestOf(Buffer.from('x'));
    const names = ['../victim', '../../victim', '..', `../root/uploads/${randomUUID()}`];

    for (const name of names) {
      await store.createUpload(name).catch(() => undefined);
      await store.append(name, 0, Readable.from([Buffer.from('x')])).catch(() => undefined);
      await store.commit(name, digest).catch(() => undefined);
      await store.removeUpload(name).catch(() => undefined);
      await store.writeAll(`sha256:${name}`, Buffer.from('x')).catch(() => undefined);
      await store.delete(`sha256:${name}`).catch(() => undefined);
      await store.delete(name).catch(() => undefined);
    }

    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await tree(parent)).toEqual(outside);
  });
});

function blobFile(data: Buffer): string {
  const hex = digestOf(data).slice('sha256:'.length);

  return path.join('sha256', hex.slice(0, 2), hex);
}

/** Every regular file under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });

  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
