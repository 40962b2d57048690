import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ManifestRecord,
  ManifestReference,
  MetadataStore,
} from '../../../src/metadata/index.js';
import { digestOf } from '../../../src/oci/digest.js';
import { MediaType } from '../../../src/oci/mediatypes.js';

/** A store under test and how to throw it away afterwards. */
export interface MetadataFixture {
  store: MetadataStore;
  /** Closes the store and removes its database. */
  dispose(): Promise<void>;
}

/** Opens a fresh, migrated, empty metadata store for one test. */
export type MetadataFactory = () => Promise<MetadataFixture>;

/**
 * The MetadataStore contract (src/metadata/store.ts), run against one database. Every backend's
 * test file calls this with its constructor and nothing else.
 */
export function metadataSuite(name: string, open: MetadataFactory): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let fixture: MetadataFixture;
    let store: MetadataStore;

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('answers ping once migrated', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('repositories', () => {
      it('creates a repository once and returns the same id afterwards', async () => {
        const first = await store.ensureRepository('library/alpine', 1000);
        const again = await store.ensureRepository('library/alpine', 2000);
        const other = await store.ensureRepository('library/busybox');

        expect(again).toBe(first);
        expect(other).not.toBe(first);
        expect(await store.findRepository('library/alpine')).toBe(first);
        expect(await store.findRepository('library/absent')).toBeUndefined();
      });

      it('returns one id to concurrent ensureRepository calls', async () => {
        const ids = await Promise.all(
          Array.from({ length: 10 }, () => store.ensureRepository('racing')),
        );

        expect(new Set(ids).size).toBe(1);
      });

      it('lists repository names in byte order', async () => {
        const names = ['b', 'a/c', 'a', 'a-b', 'a.b', 'a_b', 'a0', 'B', 'Z/x', 'aa'];
        for (const name of names) await holding(name);

        const listed = await store.listRepositories(undefined, 100);

        expect(listed).toEqual({ items: byteOrder(names), more: false });
        expect(listed.items.slice(0, 2)).toEqual(['B', 'Z/x']);
      });

      it('pages repositories with an exclusive `last` and a `more` flag', async () => {
        for (const name of ['e', 'd', 'c', 'b', 'a']) await holding(name);

        expect(await store.listRepositories(undefined, 2)).toEqual({
          items: ['a', 'b'],
          more: true,
        });
        expect(await store.listRepositories('b', 2)).toEqual({ items: ['c', 'd'], more: true });
        expect(await store.listRepositories('d', 2)).toEqual({ items: ['e'], more: false });
        expect(await store.listRepositories('bb', 10)).toEqual({
          items: ['c', 'd', 'e'],
          more: false,
        });
        expect(await store.listRepositories('e', 2)).toEqual({ items: [], more: false });
      });

      it('lists no repositories in an empty registry', async () => {
        expect(await store.listRepositories(undefined, 10)).toEqual({ items: [], more: false });
      });

      it('leaves out repositories that hold nothing (a cancelled upload, a failed mount)', async () => {
        await store.ensureRepository('empty');
        await holding('full');

        expect((await store.listRepositories(undefined, 10)).items).toEqual(['full']);
      });

      /** A repository that holds one blob, so that the catalog lists it. */
      async function holding(name: string): Promise<void> {
        const id = await store.ensureRepository(name);
        await store.linkBlob(id, digestOf(Buffer.from(name)), 1);
      }
    });

    describe('blob links', () => {
      const layer = digestOf(Buffer.from('layer'));
      const other = digestOf(Buffer.from('other layer'));

      it('links a blob to a repository idempotently', async () => {
        const repo = await store.ensureRepository('app');

        await store.linkBlob(repo, layer, 1234, 1000);
        await store.linkBlob(repo, layer, 1234, 2000);

        expect(await store.linkedBlobSize(repo, layer)).toBe(1234);
        expect(await store.blobSize(layer)).toBe(1234);
        expect(await store.missingBlobs(repo, [layer])).toEqual([]);
      });

      it('keeps a blob invisible to repositories that have not linked it', async () => {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');

        await store.linkBlob(app, layer, 10);

        expect(await store.linkedBlobSize(web, layer)).toBeUndefined();
        expect(await store.linkedBlobSize(app, other)).toBeUndefined();
        expect(await store.blobSize(other)).toBeUndefined();
      });

      it('stores sizes beyond 32 bits', async () => {
        const repo = await store.ensureRepository('big');
        const size = 5 * 1024 ** 3;

        await store.linkBlob(repo, layer, size);

        expect(await store.linkedBlobSize(repo, layer)).toBe(size);
      });

      it('unlinks a blob from one repository only, keeping the blob record', async () => {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');
        await store.linkBlob(app, layer, 10);
        await store.linkBlob(web, layer, 10);

        expect(await store.unlinkBlob(app, layer)).toBe(true);
        expect(await store.unlinkBlob(app, layer)).toBe(false);

        expect(await store.linkedBlobSize(app, layer)).toBeUndefined();
        expect(await store.linkedBlobSize(web, layer)).toBe(10);
        expect(await store.blobSize(layer)).toBe(10);
      });

      it('lists the repositories linking a blob in name order, up to a limit', async () => {
        for (const name of ['c', 'a', 'b', 'd']) {
          await store.linkBlob(await store.ensureRepository(name), layer, 10);
        }
        await store.linkBlob(await store.ensureRepository('e'), other, 10);
        await store.unlinkBlob((await store.findRepository('d')) as number, layer);

        expect(await store.repositoriesLinking(layer)).toEqual(['a', 'b', 'c']);
        expect(await store.repositoriesLinking(layer, 2)).toEqual(['a', 'b']);
        expect(await store.repositoriesLinking(digestOf(Buffer.from('none')))).toEqual([]);
      });

      it('reports which digests a repository has not linked, once each', async () => {
        const repo = await store.ensureRepository('app');
        const absent = digestOf(Buffer.from('absent'));
        await store.linkBlob(repo, layer, 10);

        expect(await store.missingBlobs(repo, [layer, absent, absent, other])).toEqual([
          absent,
          other,
        ]);
        expect(await store.missingBlobs(repo, [])).toEqual([]);
      });

      it('checks more digests at once than one statement can bind (a 4 MiB manifest)', async () => {
        const repo = await store.ensureRepository('app');
        await store.linkBlob(repo, layer, 10);
        const many = Array.from({ length: 33_000 }, (_, i) => digestOf(Buffer.from(`layer ${i}`)));

        const missing = await store.missingBlobs(repo, [layer, ...many]);

        expect(missing).toHaveLength(33_000);
        expect(missing).not.toContain(layer);
        expect(await store.missingManifests(repo, many)).toHaveLength(33_000);
      });
    });

    describe('manifests', () => {
      const config = digestOf(Buffer.from('config'));
      const layers = [digestOf(Buffer.from('layer 1')), digestOf(Buffer.from('layer 2'))];
      const image = digestOf(Buffer.from('image manifest'));
      const references: ManifestReference[] = [
        { digest: config, kind: 'config' },
        ...layers.map((digest) => ({ digest, kind: 'layer' as const })),
      ];

      it('stores a manifest with its references and tags', async () => {
        const repo = await store.ensureRepository('app');
        const record = manifest(image, {
          artifactType: MediaType.ociConfig,
          configDigest: config,
          annotations: { 'org.opencontainers.image.title': 'app' },
          size: 5 * 1024 ** 3,
        });

        await store.putManifest(repo, record, references, ['latest', 'v1']);

        expect(await store.getManifest(repo, image)).toEqual(record);
        expect(sortReferences(await store.listReferences(repo, image))).toEqual(
          sortReferences(references),
        );
        expect(await store.resolveTag(repo, 'latest')).toBe(image);
        expect(await store.resolveTag(repo, 'v1')).toBe(image);
        expect(await store.missingManifests(repo, [image, config])).toEqual([config]);
      });

      it('round-trips a manifest without optional fields as nulls', async () => {
        const repo = await store.ensureRepository('app');
        const record = manifest(image);

        await store.putManifest(repo, record, [], []);

        expect(await store.getManifest(repo, image)).toEqual(record);
        expect(await store.getManifest(repo, config)).toBeUndefined();
        expect(await store.resolveTag(repo, 'latest')).toBeUndefined();
      });

      it('keeps manifests of one repository invisible to another', async () => {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');

        await store.putManifest(app, manifest(image), references, ['latest']);

        expect(await store.getManifest(web, image)).toBeUndefined();
        expect(await store.resolveTag(web, 'latest')).toBeUndefined();
        expect(await store.listReferences(web, image)).toEqual([]);
      });

      it('stores duplicate references once and manifests with hundreds of layers', async () => {
        const repo = await store.ensureRepository('app');
        const many = Array.from({ length: 450 }, (_, i) => ({
          digest: digestOf(Buffer.from(`layer ${i}`)),
          kind: 'layer' as const,
        }));

        await store.putManifest(repo, manifest(image), [...many, ...many.slice(0, 10)], []);

        expect(await store.listReferences(repo, image)).toHaveLength(450);
      });

      it('stores nothing of a manifest whose transaction fails', async () => {
        const repo = await store.ensureRepository('app');
        const badTag = null as unknown as string;

        await expect(
          store.putManifest(repo, manifest(image), references, ['ok', badTag]),
        ).rejects.toThrow();

        expect(await store.getManifest(repo, image)).toBeUndefined();
        expect(await store.listReferences(repo, image)).toEqual([]);
        expect(await store.resolveTag(repo, 'ok')).toBeUndefined();
      });

      it('keeps the first push time when a manifest is pushed again, and moves the tag back', async () => {
        const repo = await store.ensureRepository('app');
        const newer = digestOf(Buffer.from('newer manifest'));

        await store.putManifest(repo, manifest(image, { pushedAt: 1000 }), references, ['latest']);
        await store.putManifest(repo, manifest(newer, { pushedAt: 2000 }), [], ['latest']);
        expect(await store.resolveTag(repo, 'latest')).toBe(newer);

        await store.putManifest(repo, manifest(image, { pushedAt: 3000 }), references, ['latest']);

        expect((await store.getManifest(repo, image))?.pushedAt).toBe(1000);
        expect(await store.resolveTag(repo, 'latest')).toBe(image);
        const tag = await store.db
          .selectFrom('tags')
          .select(['updated_at'])
          .where('repository_id', '=', repo)
          .where('name', '=', 'latest')
          .executeTakeFirstOrThrow();
        expect(Number(tag.updated_at)).toBe(3000);
      });

      it('deletes a manifest with its tags and references, leaving other manifests alone', async () => {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');
        const index = digestOf(Buffer.from('index'));
        await store.putManifest(app, manifest(image), references, ['v1', 'latest']);
        await store.putManifest(
          app,
          manifest(index, { mediaType: MediaType.ociIndex }),
          [{ digest: image, kind: 'manifest' }],
          ['multi'],
        );
        await store.putManifest(web, manifest(image), references, ['latest']);

        expect(await store.deleteManifest(app, image)).toBe(true);
        expect(await store.deleteManifest(app, image)).toBe(false);

        expect(await store.getManifest(app, image)).toBeUndefined();
        expect(await store.resolveTag(app, 'v1')).toBeUndefined();
        expect(await store.resolveTag(app, 'latest')).toBeUndefined();
        expect(await store.listReferences(app, image)).toEqual([]);
        expect(await store.getManifest(app, index)).toBeDefined();
        expect(await store.resolveTag(app, 'multi')).toBe(index);
        expect(await store.listReferences(app, index)).toEqual([
          { digest: image, kind: 'manifest' },
        ]);
        expect(await store.getManifest(web, image)).toBeDefined();
        expect(await store.resolveTag(web, 'latest')).toBe(image);
        expect(await store.listReferences(web, image)).toHaveLength(3);
      });

      it('deletes a tag without touching its manifest', async () => {
        const repo = await store.ensureRepository('app');
        await store.putManifest(repo, manifest(image), [], ['v1', 'v2']);

        expect(await store.deleteTag(repo, 'v1')).toBe(true);
        expect(await store.deleteTag(repo, 'v1')).toBe(false);

        expect(await store.resolveTag(repo, 'v1')).toBeUndefined();
        expect(await store.resolveTag(repo, 'v2')).toBe(image);
        expect(await store.getManifest(repo, image)).toBeDefined();
      });
    });

    describe('referrers', () => {
      const subject = digestOf(Buffer.from('subject'));
      const sbom = 'application/spdx+json';
      const signature = 'application/vnd.dev.cosign.artifact.sig.v1+json';

      it('lists the manifests whose subject is a digest, oldest first', async () => {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');
        const [first, second, elsewhere, unrelated] = ['1', '2', '3', '4'].map((s) =>
          digestOf(Buffer.from(s)),
        ) as [string, string, string, string];
        const annotations = { 'org.example.kind': 'sbom' };
        await store.putManifest(app, referrer(second, subject, signature, 2000), [], []);
        await store.putManifest(
          app,
          { ...referrer(first, subject, sbom, 1000), annotations },
          [],
          [],
        );
        await store.putManifest(web, referrer(elsewhere, subject, sbom, 500), [], []);
        await store.putManifest(app, manifest(unrelated), [], []);

        const listed = await store.listReferrers(app, subject);

        expect(listed.map((m) => m.digest)).toEqual([first, second]);
        expect(listed[0]).toEqual({ ...referrer(first, subject, sbom, 1000), annotations });
      });

      it('filters referrers by artifact type', async () => {
        const repo = await store.ensureRepository('app');
        const [a, b, c] = ['a', 'b', 'c'].map((s) => digestOf(Buffer.from(s))) as [
          string,
          string,
          string,
        ];
        await store.putManifest(repo, referrer(a, subject, sbom, 1000), [], []);
        await store.putManifest(repo, referrer(b, subject, signature, 2000), [], []);
        await store.putManifest(repo, referrer(c, subject, sbom, 3000), [], []);

        const sboms = await store.listReferrers(repo, subject, sbom);
        const other = await store.listReferrers(repo, subject, 'application/unknown');

        expect(sboms.map((m) => m.digest)).toEqual([a, c]);
        expect(other).toEqual([]);
      });

      it('orders referrers pushed at the same time by digest', async () => {
        const repo = await store.ensureRepository('app');
        const digests = ['x', 'y', 'z', 'w'].map((s) => digestOf(Buffer.from(s)));
        for (const digest of digests) {
          await store.putManifest(repo, referrer(digest, subject, sbom, 1000), [], []);
        }

        const listed = await store.listReferrers(repo, subject);

        expect(listed.map((m) => m.digest)).toEqual([...digests].sort());
      });
    });

    describe('tag listing', () => {
      const image = digestOf(Buffer.from('image'));

      it('lists tags in byte order', async () => {
        const repo = await store.ensureRepository('app');
        const tags = ['v2', 'v10', 'latest', 'Latest', 'v1', 'v1.0', 'v1-rc', 'v1_0', '_x'];
        await store.putManifest(repo, manifest(image), [], tags);

        expect(await store.listTags(repo, undefined, 100)).toEqual({
          items: byteOrder(tags),
          more: false,
        });
      });

      it('pages tags with an exclusive `last` and a `more` flag', async () => {
        const repo = await store.ensureRepository('app');
        await store.putManifest(repo, manifest(image), [], ['a', 'b', 'c', 'd']);

        expect(await store.listTags(repo, undefined, 2)).toEqual({ items: ['a', 'b'], more: true });
        expect(await store.listTags(repo, 'b', 2)).toEqual({ items: ['c', 'd'], more: false });
        expect(await store.listTags(repo, 'a', 3)).toEqual({
          items: ['b', 'c', 'd'],
          more: false,
        });
        expect(await store.listTags(repo, 'd', 2)).toEqual({ items: [], more: false });
      });

      it('continues after a `last` tag that does not exist', async () => {
        const repo = await store.ensureRepository('app');
        await store.putManifest(repo, manifest(image), [], ['v1', 'v2', 'v3']);

        expect(await store.listTags(repo, 'v15', 10)).toEqual({ items: ['v2', 'v3'], more: false });
        expect(await store.listTags(repo, 'a', 1)).toEqual({ items: ['v1'], more: true });
        expect(await store.listTags(repo, 'z', 10)).toEqual({ items: [], more: false });
      });

      it('lists only the repository’s own tags', async () => {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');
        await store.putManifest(app, manifest(image), [], ['app-tag']);
        await store.putManifest(web, manifest(image), [], ['web-tag']);

        expect(await store.listTags(app, undefined, 10)).toEqual({
          items: ['app-tag'],
          more: false,
        });
      });
    });

    describe('upload sessions', () => {
      it('creates, reads, touches and deletes an upload session', async () => {
        const repo = await store.ensureRepository('library/app');

        await store.createUpload('u1', repo, 1000);
        expect(await store.getUpload('u1')).toEqual({
          id: 'u1',
          repositoryId: repo,
          repository: 'library/app',
          createdAt: 1000,
          updatedAt: 1000,
        });
        expect(await store.uploadExists('u1')).toBe(true);

        await store.touchUpload('u1', 5000);
        expect(await store.getUpload('u1')).toMatchObject({ createdAt: 1000, updatedAt: 5000 });

        await store.deleteUpload('u1');
        expect(await store.getUpload('u1')).toBeUndefined();
        expect(await store.uploadExists('u1')).toBe(false);
        await expect(store.deleteUpload('u1')).resolves.toBeUndefined();
      });

      it('refuses a second session with the same id', async () => {
        const repo = await store.ensureRepository('app');
        await store.createUpload('u1', repo);

        await expect(store.createUpload('u1', repo)).rejects.toThrow();
      });

      it('lists sessions idle since before a time, up to a limit', async () => {
        const repo = await store.ensureRepository('app');
        await store.createUpload('old', repo, 1000);
        await store.createUpload('older', repo, 500);
        await store.createUpload('edge', repo, 2000);
        await store.createUpload('touched', repo, 100);
        await store.touchUpload('touched', 3000);

        expect((await store.listStaleUploads(2000)).sort()).toEqual(['old', 'older']);
        expect(await store.listStaleUploads(2000, 1)).toHaveLength(1);
        expect(await store.listStaleUploads(100)).toEqual([]);
      });

      it('counts upload sessions', async () => {
        const repo = await store.ensureRepository('app');
        expect(await store.countUploads()).toBe(0);

        await store.createUpload('a', repo);
        await store.createUpload('b', repo);
        await store.deleteUpload('a');

        expect(await store.countUploads()).toBe(1);
      });
    });

    describe('scan jobs', () => {
      const image = digestOf(Buffer.from('scanned image'));
      const other = digestOf(Buffer.from('another image'));

      async function repositoryWith(...digests: string[]): Promise<number> {
        const repo = await store.ensureRepository('scanned');
        for (const digest of digests) await store.putManifest(repo, manifest(digest), [], []);
        return repo;
      }

      it('hands each queued job to one claimer only, oldest first', async () => {
        const repo = await repositoryWith(image, other);
        await store.scans.enqueue(repo, other, 'push', 2000);
        await store.scans.enqueue(repo, image, 'push', 1000);

        const claims = await Promise.all([1, 2, 3].map(() => store.scans.claim(3000)));

        expect(claims.filter(Boolean).map((job) => job!.digest)).toEqual([image, other]);
        expect(claims[0]).toMatchObject({ repository: 'scanned', status: 'running', attempts: 1 });
        expect(await store.scans.claim()).toBeUndefined();
      });

      it('leaves a running job alone when it is asked for again', async () => {
        const repo = await repositoryWith(image);
        await store.scans.enqueue(repo, image, 'push');
        await store.scans.claim();

        expect(await store.scans.enqueue(repo, image, 'request')).toBe(false);
        expect(await store.scans.get(repo, image)).toMatchObject({ status: 'running' });
      });

      it('keeps what a finished job found, and gives back a job its node drops', async () => {
        const repo = await repositoryWith(image, other);
        await store.scans.enqueue(repo, image, 'push');
        await store.scans.enqueue(repo, other, 'push');
        const done = await store.scans.claim();
        const dropped = await store.scans.claim();
        const summary = { critical: 1, total: 1 };

        await store.scans.finish(repo, done!.digest, {
          status: 'done',
          advisories: 'v1',
          summary,
          sboms: ['sha256:ab'],
        });
        await store.scans.release(repo, dropped!.digest);

        expect(await store.scans.get(repo, done!.digest)).toMatchObject({
          status: 'done',
          advisories: 'v1',
          summary,
          sboms: ['sha256:ab'],
        });
        expect(await store.scans.get(repo, dropped!.digest)).toMatchObject({
          status: 'queued',
          attempts: 0,
        });
      });

      it('queues stale running jobs again, and fails them after too many attempts', async () => {
        const repo = await repositoryWith(image, other);
        await store.scans.enqueue(repo, other, 'push');
        const states = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          await store.scans.claim(1000);
          await store.scans.recoverStale(2000, 3);
          states.push((await store.scans.get(repo, other))!.status);
        }
        await store.scans.enqueue(repo, image, 'push');

        expect(states).toEqual(['queued', 'queued', 'failed']);
        expect(await store.scans.get(repo, other)).toMatchObject({ status: 'failed' });
        expect((await store.scans.get(repo, other))!.error).toContain('stopped part way');
        expect(await store.scans.countByStatus()).toEqual({
          queued: 1,
          running: 0,
          done: 0,
          failed: 1,
        });
      });

      it('queues again scans matched against another advisory version, not failed ones', async () => {
        const repo = await repositoryWith(image, other);
        for (const digest of [image, other]) await store.scans.enqueue(repo, digest, 'push');
        await store.scans.claim();
        await store.scans.claim();
        await store.scans.finish(repo, image, { status: 'done', advisories: 'v1' });
        await store.scans.finish(repo, other, { status: 'failed', error: 'unreadable' });

        expect(await store.scans.requeueOutdated('v1')).toBe(0);
        expect(await store.scans.requeueOutdated('v2')).toBe(1);
        expect(await store.scans.get(repo, image)).toMatchObject({
          status: 'queued',
          reason: 'advisories',
        });
        expect(await store.scans.get(repo, other)).toMatchObject({ status: 'failed' });
      });

      it('stores analyses and findings per digest, with a history of counts', async () => {
        await repositoryWith(image);
        const content = Buffer.from([1, 2, 3]);
        await store.scans.putAnalysis(image, { version: 'a1', at: 10, content });
        await store.scans.putFindings(image, { version: 'v1', at: 20, content }, { total: 1 });
        await store.scans.putFindings(image, { version: 'v2', at: 30, content }, { total: 2 });

        expect(await store.scans.getAnalysis(image)).toEqual({ version: 'a1', at: 10, content });
        expect(await store.scans.getFindings(image)).toMatchObject({ version: 'v2', at: 30 });
        expect(await store.scans.history(image, 0, 10)).toEqual([
          { at: 20, summary: { total: 1 } },
          { at: 30, summary: { total: 2 } },
        ]);
        expect(await store.scans.history(image, 25, 10)).toHaveLength(1);
      });

      it('keeps layer readings by key until no manifest names the layer', async () => {
        const layer = digestOf(Buffer.from('a layer'));
        const repo = await store.ensureRepository('layered');
        await store.linkBlob(repo, layer, 7);
        await store.putManifest(repo, manifest(image), [{ digest: layer, kind: 'layer' }], []);
        await store.scans.putLayer(`v1/${layer}`, layer, Buffer.from('old'));
        await store.scans.putLayer(`v1/${layer}`, layer, Buffer.from('new'));

        expect(await store.scans.getLayer(`v1/${layer}`)).toEqual(Buffer.from('new'));
        await store.scans.prune();
        expect(await store.scans.getLayer(`v1/${layer}`)).toBeDefined();

        await store.deleteManifest(repo, image);
        await store.scans.prune();
        expect(await store.scans.getLayer(`v1/${layer}`)).toBeUndefined();
      });

      it('forgets scans and results of images no longer held', async () => {
        const repo = await repositoryWith(image, other);
        const content = Buffer.from('x');
        for (const digest of [image, other]) {
          await store.scans.enqueue(repo, digest, 'push');
          await store.scans.putAnalysis(digest, { version: 'a1', at: 1, content });
        }
        await store.deleteManifest(repo, other);

        expect(await store.scans.prune()).toBe(1);
        expect(await store.scans.get(repo, other)).toBeUndefined();
        expect(await store.scans.getAnalysis(other)).toBeUndefined();
        expect(await store.scans.getAnalysis(image)).toBeDefined();
      });
    });

    describe('pull times', () => {
      const image = digestOf(Buffer.from('image'));
      const layer = digestOf(Buffer.from('layer'));

      it('records pulls of tags, manifests and repository blobs', async () => {
        const { app, web } = await pushedImage();

        await store.recordPulls([
          { repositoryId: app, kind: 'tag', key: 'latest', at: 1000 },
          { repositoryId: app, kind: 'manifest', key: image, at: 2000 },
          { repositoryId: app, kind: 'blob', key: layer, at: 3000 },
        ]);

        expect(await pullTimes(app)).toEqual({ tag: 1000, manifest: 2000, blob: 3000 });
        expect(await pullTimes(web)).toEqual({ tag: null, manifest: null, blob: null });
      });

      it('ignores pulls of things that do not exist', async () => {
        const { app } = await pushedImage();

        await store.recordPulls([
          { repositoryId: app, kind: 'tag', key: 'absent', at: 1000 },
          { repositoryId: app, kind: 'blob', key: digestOf(Buffer.from('x')), at: 1000 },
        ]);
        await store.recordPulls([]);

        expect(await pullTimes(app)).toEqual({ tag: null, manifest: null, blob: null });
      });

      it('keeps the latest pull time when older observations arrive later', async () => {
        const { app } = await pushedImage();
        const at = (time: number) =>
          (['tag', 'manifest', 'blob'] as const).map((kind) => ({
            repositoryId: app,
            kind,
            key: kind === 'tag' ? 'latest' : kind === 'manifest' ? image : layer,
            at: time,
          }));

        await store.recordPulls([...at(5000), ...at(4000)]);
        await store.recordPulls(at(3000));

        expect(await pullTimes(app)).toEqual({ tag: 5000, manifest: 5000, blob: 5000 });

        await store.recordPulls(at(6000));

        expect(await pullTimes(app)).toEqual({ tag: 6000, manifest: 6000, blob: 6000 });
      });

      /** Two repositories holding the same image tagged latest. */
      async function pushedImage(): Promise<{ app: number; web: number }> {
        const app = await store.ensureRepository('app');
        const web = await store.ensureRepository('web');
        for (const repo of [app, web]) {
          await store.linkBlob(repo, layer, 10);
          await store.putManifest(
            repo,
            manifest(image),
            [{ digest: layer, kind: 'layer' }],
            ['latest'],
          );
        }

        return { app, web };
      }

      async function pullTimes(repo: number) {
        const tag = await store.db
          .selectFrom('tags')
          .select('last_pulled_at')
          .where('repository_id', '=', repo)
          .where('name', '=', 'latest')
          .executeTakeFirstOrThrow();
        const manifestRow = await store.db
          .selectFrom('manifests')
          .select('last_pulled_at')
          .where('repository_id', '=', repo)
          .where('digest', '=', image)
          .executeTakeFirstOrThrow();
        const blob = await store.db
          .selectFrom('repository_blobs')
          .select('last_pulled_at')
          .where('repository_id', '=', repo)
          .where('digest', '=', layer)
          .executeTakeFirstOrThrow();

        return {
          tag: nullableNumber(tag.last_pulled_at),
          manifest: nullableNumber(manifestRow.last_pulled_at),
          blob: nullableNumber(blob.last_pulled_at),
        };
      }
    });
  });
}

function manifest(digest: string, fields: Partial<ManifestRecord> = {}): ManifestRecord {
  return {
    digest,
    mediaType: MediaType.ociManifest,
    artifactType: null,
    size: 512,
    subjectDigest: null,
    configDigest: null,
    annotations: null,
    pushedAt: 1000,
    ...fields,
  };
}

function referrer(
  digest: string,
  subject: string,
  artifactType: string,
  pushedAt: number,
): ManifestRecord {
  return manifest(digest, { subjectDigest: subject, artifactType, pushedAt });
}

/** Byte order, which is what JavaScript's default sort gives for ASCII strings. */
function byteOrder(values: string[]): string[] {
  return [...values].sort();
}

function sortReferences(references: ManifestReference[]): ManifestReference[] {
  return [...references].sort((a, b) =>
    `${a.kind}${a.digest}`.localeCompare(`${b.kind}${b.digest}`),
  );
}

/** PostgreSQL returns bigint columns as strings. */
function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}
