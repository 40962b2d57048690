import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestOf } from '../../../src/oci/digest.js';
import {
  BlobNotFoundError,
  UploadNotFoundError,
  UploadOffsetError,
  type BlobStore,
} from '../../../src/storage/index.js';

/** A store under test and how to throw it away afterwards. */
export interface BlobStoreFixture {
  store: BlobStore;
  /** Closes the store and removes everything it created. */
  dispose(): Promise<void>;
}

/** Opens a fresh, empty store for one test. */
export type BlobStoreFactory = () => Promise<BlobStoreFixture>;

/**
 * The BlobStore contract (src/storage/blobstore.ts), run against one driver. Every driver's test
 * file calls this with its constructor and nothing else; driver-specific checks go beside it.
 */
export function blobStoreSuite(name: string, open: BlobStoreFactory): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    describe('committed blobs', () => {
      it('reports an absent blob as undefined from stat and BlobNotFoundError from reads', async () => {
        const digest = digestOf(Buffer.from('never stored'));

        expect(await store.stat(digest)).toBeUndefined();
        await expect(store.read(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
        await expect(store.readAll(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
      });

      it('makes content written with writeAll readable whole and by stat', async () => {
        const data = randomBytes(3000);
        const digest = digestOf(data);

        await store.writeAll(digest, data);

        expect(await store.stat(digest)).toEqual({ size: 3000 });
        expectSameBytes(await store.readAll(digest), data);
        expectSameBytes(await buffer(await store.read(digest)), data);
      });

      it('stores sha512 digests as well as sha256', async () => {
        const data = Buffer.from('sha512 content');
        const digest = digestOf(data, 'sha512');

        await store.writeAll(digest, data);

        expectSameBytes(await store.readAll(digest), data);
      });

      it('stores an empty blob', async () => {
        const digest = digestOf(Buffer.alloc(0));

        await store.writeAll(digest, Buffer.alloc(0));

        expect(await store.stat(digest)).toEqual({ size: 0 });
        expectSameBytes(await store.readAll(digest), Buffer.alloc(0));
      });

      it('treats writeAll of an existing digest as a no-op that keeps the stored bytes', async () => {
        const data = Buffer.from('first bytes');
        const digest = digestOf(data);

        await store.writeAll(digest, data);
        await store.writeAll(digest, data);
        await store.writeAll(digest, Buffer.from('other bytes, same digest'));

        expectSameBytes(await store.readAll(digest), data);
      });

      it('survives concurrent writeAll calls of the same content', async () => {
        const data = randomBytes(64 * 1024);
        const digest = digestOf(data);

        await Promise.all(Array.from({ length: 8 }, () => store.writeAll(digest, data)));

        expectSameBytes(await store.readAll(digest), data);
      });

      it('reads an inclusive byte range', async () => {
        const data = Buffer.from('0123456789');
        const digest = digestOf(data);
        await store.writeAll(digest, data);

        const middle = await buffer(await store.read(digest, { start: 2, end: 5 }));
        const first = await buffer(await store.read(digest, { start: 0, end: 0 }));
        const last = await buffer(await store.read(digest, { start: 9, end: 9 }));
        const tail = await buffer(await store.read(digest, { start: 7, end: 9 }));

        expect(middle.toString()).toBe('2345');
        expect(first.toString()).toBe('0');
        expect(last.toString()).toBe('9');
        expect(tail.toString()).toBe('789');
      });

      it('deletes a blob and ignores deleting an absent one', async () => {
        const data = Buffer.from('doomed');
        const digest = digestOf(data);
        await store.writeAll(digest, data);

        await store.delete(digest);
        await store.delete(digest);
        await store.delete(digestOf(Buffer.from('never stored')));

        expect(await store.stat(digest)).toBeUndefined();
        await expect(store.readAll(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
      });

      it('keeps streaming a blob opened for reading when it is deleted meanwhile', async () => {
        const data = randomBytes(4 * 1024 * 1024);
        const digest = digestOf(data);
        await store.writeAll(digest, data);

        const stream = await store.read(digest);
        await store.delete(digest);

        expectSameBytes(await buffer(stream), data);
        expect(await store.stat(digest)).toBeUndefined();
      });
    });

    describe('uploads', () => {
      it('starts an upload empty and grows it with each append', async () => {
        const id = randomUUID();
        await store.createUpload(id);
        expect(await store.uploadSize(id)).toBe(0);

        expect(await store.append(id, 0, source('hello '))).toBe(6);
        expect(await store.append(id, 6, source('world'))).toBe(11);
        expect(await store.append(id, 11, source(''))).toBe(11);

        expect(await store.uploadSize(id)).toBe(11);
        expect((await readUpload(store, id)).toString()).toBe('hello world');
      });

      it('appends a body made of many chunks', async () => {
        const id = randomUUID();
        const chunks = Array.from({ length: 40 }, () => randomBytes(100 * 1024));
        await store.createUpload(id);

        const size = await store.append(id, 0, Readable.from(chunks));

        expect(size).toBe(40 * 100 * 1024);
        expectSameBytes(await readUpload(store, id), Buffer.concat(chunks));
      });

      it('reports an absent upload as undefined from uploadSize and UploadNotFoundError elsewhere', async () => {
        const id = randomUUID();

        expect(await store.uploadSize(id)).toBeUndefined();
        await expect(store.append(id, 0, source('x'))).rejects.toBeInstanceOf(UploadNotFoundError);
        await expect(store.readUpload(id)).rejects.toBeInstanceOf(UploadNotFoundError);
        await expect(store.commit(id, digestOf(Buffer.from('x')))).rejects.toBeInstanceOf(
          UploadNotFoundError,
        );
        expect(await store.uploadSize(id)).toBeUndefined();
      });

      it('rejects an append at the wrong offset with UploadOffsetError and changes nothing', async () => {
        const id = randomUUID();
        await store.createUpload(id);
        await store.append(id, 0, source('abc'));

        for (const offset of [0, 2, 4, 100]) {
          const error = await store.append(id, offset, source('zzz')).catch((err: unknown) => err);
          expect(error).toBeInstanceOf(UploadOffsetError);
          expect(error).toMatchObject({ id, expected: offset, actual: 3 });
        }

        expect(await store.uploadSize(id)).toBe(3);
        expect((await readUpload(store, id)).toString()).toBe('abc');
      });

      it('rolls an upload back to its previous size when the source errors midway', async () => {
        const id = randomUUID();
        const before = randomBytes(1000);
        const failure = new Error('client went away');
        await store.createUpload(id);
        await store.append(id, 0, Readable.from([before]));

        const append = store.append(id, 1000, failingSource(randomBytes(512 * 1024), failure));

        await expect(append).rejects.toBe(failure);
        expect(await store.uploadSize(id)).toBe(1000);
        expectSameBytes(await readUpload(store, id), before);
      });

      it('rolls an upload back to its previous size when the source is aborted', async () => {
        const id = randomUUID();
        await store.createUpload(id);
        await store.append(id, 0, source('kept'));

        await expect(store.append(id, 4, failingSource(randomBytes(512 * 1024)))).rejects.toThrow();

        expect(await store.uploadSize(id)).toBe(4);
        expect((await readUpload(store, id)).toString()).toBe('kept');
      });

      it('accepts an append at the rolled-back offset after a failed one', async () => {
        const id = randomUUID();
        await store.createUpload(id);
        await store.append(id, 0, source('abc'));
        await store.append(id, 3, failingSource(randomBytes(256 * 1024))).catch(() => undefined);

        expect(await store.append(id, 3, source('def'))).toBe(6);

        expect((await readUpload(store, id)).toString()).toBe('abcdef');
      });

      it('reads an upload back from the start', async () => {
        const id = randomUUID();
        const data = randomBytes(200 * 1024);
        await store.createUpload(id);
        await store.append(id, 0, Readable.from([data.subarray(0, 1000)]));
        await store.append(id, 1000, Readable.from([data.subarray(1000)]));

        expectSameBytes(await readUpload(store, id), data);
      });

      it('discards an upload with removeUpload and ignores an absent one', async () => {
        const id = randomUUID();
        await store.createUpload(id);
        await store.append(id, 0, source('bytes'));

        await store.removeUpload(id);
        await store.removeUpload(id);
        await store.removeUpload(randomUUID());

        expect(await store.uploadSize(id)).toBeUndefined();
        await expect(store.readUpload(id)).rejects.toBeInstanceOf(UploadNotFoundError);
      });

      it('lists every upload with a recent modification time', async () => {
        const ids = [randomUUID(), randomUUID(), randomUUID()];
        const started = Date.now();
        for (const id of ids) await store.createUpload(id);
        await store.removeUpload(ids[2] as string);

        const entries = await listUploads(store);

        expect(entries.map((e) => e.id).sort()).toEqual([ids[0], ids[1]].sort());
        for (const entry of entries) {
          expect(entry.modifiedAt).toBeInstanceOf(Date);
          expect(Math.abs(entry.modifiedAt.getTime() - started)).toBeLessThan(60_000);
        }
      });

      it('lists nothing when there are no uploads', async () => {
        expect(await listUploads(store)).toEqual([]);
      });
    });

    describe('commit', () => {
      it('makes the upload the committed blob and removes the upload', async () => {
        const data = randomBytes(300 * 1024);
        const digest = digestOf(data);
        const id = await upload(store, data);
        expect(await store.stat(digest)).toBeUndefined();

        await store.commit(id, digest);

        expect(await store.stat(digest)).toEqual({ size: data.length });
        expectSameBytes(await store.readAll(digest), data);
        expect(await store.uploadSize(id)).toBeUndefined();
        expect((await listUploads(store)).map((e) => e.id)).not.toContain(id);
      });

      it('never lets a reader see part of a blob while it is committed', async () => {
        const data = randomBytes(8 * 1024 * 1024);
        const digest = digestOf(data);
        const id = await upload(store, data);

        const seen = new Set<number | undefined>();
        let committed = false;
        const commit = store.commit(id, digest).finally(() => (committed = true));
        while (!committed) seen.add((await store.stat(digest))?.size);
        await commit;

        expect([...seen].every((size) => size === undefined || size === data.length)).toBe(true);
        expectSameBytes(await store.readAll(digest), data);
      });

      it('commits an empty upload as the empty blob', async () => {
        const digest = digestOf(Buffer.alloc(0));
        const id = randomUUID();
        await store.createUpload(id);

        await store.commit(id, digest);

        expect(await store.stat(digest)).toEqual({ size: 0 });
      });

      it('accepts committing a digest that is already stored', async () => {
        const data = randomBytes(10 * 1024);
        const digest = digestOf(data);
        const first = await upload(store, data);
        const second = await upload(store, data);

        await store.commit(first, digest);
        await store.commit(second, digest);

        expectSameBytes(await store.readAll(digest), data);
        expect(await store.uploadSize(second)).toBeUndefined();
      });

      it('accepts committing over content stored with writeAll', async () => {
        const data = Buffer.from('{"schemaVersion":2}');
        const digest = digestOf(data);
        await store.writeAll(digest, data);
        const id = await upload(store, data);

        await store.commit(id, digest);

        expectSameBytes(await store.readAll(digest), data);
      });

      it('survives concurrent commits of identical content', async () => {
        const data = randomBytes(512 * 1024);
        const digest = digestOf(data);
        const ids = await Promise.all(Array.from({ length: 6 }, () => upload(store, data)));

        await Promise.all(ids.map((id) => store.commit(id, digest)));

        expectSameBytes(await store.readAll(digest), data);
        expect(await listUploads(store)).toEqual([]);
      });
    });

    describe('malformed names', () => {
      const badDigests = [
        '../x',
        'sha256:../../../x',
        `sha256:${'A'.repeat(64)}`,
        `sha256:${'a'.repeat(63)}`,
        `md5:${'a'.repeat(32)}`,
        `sha256:${'a'.repeat(62)}/.`,
        '',
      ];
      const badIds = ['../x', '..', '.', 'a/b', 'a\\b', '', '/etc/passwd', 'x'.repeat(300)];

      it.each(badDigests)('refuses digest %j in every blob operation', async (digest) => {
        const data = Buffer.from('content');

        await expect(store.stat(digest)).rejects.toThrow();
        await expect(store.read(digest)).rejects.toThrow();
        await expect(store.readAll(digest)).rejects.toThrow();
        await expect(store.writeAll(digest, data)).rejects.toThrow();
        await expect(store.delete(digest)).rejects.toThrow();
      });

      it.each(badDigests)('refuses to commit to digest %j and keeps the upload', async (digest) => {
        const id = await upload(store, Buffer.from('content'));

        await expect(store.commit(id, digest)).rejects.toThrow();

        expect((await readUpload(store, id)).toString()).toBe('content');
      });

      it.each(badIds)('refuses upload id %j in every upload operation', async (id) => {
        const digest = digestOf(Buffer.from('x'));

        await expect(store.createUpload(id)).rejects.toThrow();
        await expect(store.uploadSize(id)).rejects.toThrow();
        await expect(store.append(id, 0, source('x'))).rejects.toThrow();
        await expect(store.readUpload(id)).rejects.toThrow();
        await expect(store.commit(id, digest)).rejects.toThrow();
        await expect(store.removeUpload(id)).rejects.toThrow();

        expect(await listUploads(store)).toEqual([]);
        expect(await store.stat(digest)).toBeUndefined();
      });
    });
  });
}

/** Compares content by length and digest: deep equality on MiB-sized buffers is very slow. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(digestOf(actual)).toBe(digestOf(expected));
}

function source(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

/**
 * A body that delivers `first` and then fails with `error`, or ends abruptly without one
 * (an aborted request). The pause lets the first bytes reach the store before the failure.
 */
function failingSource(first: Buffer, error?: Error): Readable {
  let sent = false;

  return new Readable({
    read() {
      if (sent) {
        setTimeout(() => this.destroy(error), 20);
        return;
      }
      sent = true;
      this.push(first);
    },
  });
}

async function upload(store: BlobStore, data: Buffer): Promise<string> {
  const id = randomUUID();
  await store.createUpload(id);
  await store.append(id, 0, Readable.from([data]));

  return id;
}

async function readUpload(store: BlobStore, id: string): Promise<Buffer> {
  return buffer(await store.readUpload(id));
}

async function listUploads(store: BlobStore): Promise<{ id: string; modifiedAt: Date }[]> {
  const entries = [];
  for await (const entry of store.listUploads()) entries.push(entry);

  return entries;
}
