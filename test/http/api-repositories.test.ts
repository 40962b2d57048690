// The repository endpoints of the management API (src/api/repositories.ts), which the portal
// browses with: listings with counts and sizes, artifact detail with build history and the
// referrers tree, tags at scale, deletes with their permissions and audit events.
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, RegistryAs, type Credentials } from '../support/accounts.js';
import { ApiClient } from '../support/api-client.js';
import {
  descriptorOf,
  emptyConfig,
  imageIndex,
  imageManifest,
  layerMediaType,
  manifestBytes,
  MediaType,
  randomBlob,
  sha256,
  type Descriptor,
} from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });
const api = () => new ApiClient(server().url);
const admin = { basic: adminCredentials };
const encode = (repository: string) => encodeURIComponent(repository);

interface Listing<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

interface Repository {
  name: string;
  project: string;
  artifactCount: number;
  tagCount: number;
  sizeBytes: number;
  lastPushedAt: string | null;
}

interface Artifact {
  digest: string;
  mediaType: string;
  sizeBytes: number;
  tags: string[];
  tagCount: number;
  platforms: { os: string; architecture: string; variant?: string }[];
  pushedAt: string;
  lastPulledAt: string | null;
}

interface ReferrerNode {
  digest: string;
  subject: string;
  depth: number;
  artifactType: string | null;
}

interface ArtifactDetail extends Artifact {
  layers: { digest: string; sizeBytes: number; createdBy: string | null }[];
  history: { createdBy: string | null; emptyLayer: boolean }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  config: { digest: string; content: { architecture?: string } | null } | null;
  platform: { os: string; architecture: string } | null;
  children: { digest: string; platform: { architecture: string } | null }[];
  referrers: ReferrerNode[];
  manifest: { layers?: unknown[] };
}

/** Pushes blobs and manifests with credentials, and says how many bytes each image holds. */
class Pusher {
  private readonly registry: RegistryAs;

  constructor(credentials: Credentials) {
    this.registry = new RegistryAs(server(), credentials);
  }

  async blob(repo: string, bytes: Buffer): Promise<void> {
    const res = await this.registry.fetch(`${repo}/blobs/uploads/?digest=${sha256(bytes)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(res.status, await res.text()).toBe(201);
  }

  async manifest(repo: string, reference: string, manifest: Record<string, unknown>) {
    const bytes = manifestBytes(manifest);
    const res = await this.registry.fetch(`${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': String(manifest.mediaType) },
      body: bytes,
    });
    expect(res.status, await res.text()).toBe(201);

    return descriptorOf(bytes, String(manifest.mediaType));
  }

  /** An image whose config has a build history (one empty step) and labels. */
  async image(repo: string, tag: string, platform = { os: 'linux', architecture: 'amd64' }) {
    const layers = [gzipSync(randomBlob(300)), gzipSync(randomBlob(500))];
    const config = Buffer.from(
      JSON.stringify({
        ...platform,
        created: '2026-01-02T03:04:05Z',
        config: { Labels: { team: 'payments', 'org.example.tier': 'gold' } },
        rootfs: { type: 'layers', diff_ids: layers.map(() => sha256(randomBlob(4))) },
        history: [
          { created_by: '/bin/sh -c #(nop) ADD file:rootfs in /' },
          { created_by: '/bin/sh -c #(nop) ENV APP=shop', empty_layer: true },
          { created_by: 'RUN /bin/sh -c make install # buildkit' },
        ],
      }),
    );
    for (const bytes of [config, ...layers]) await this.blob(repo, bytes);

    const manifest = imageManifest({
      config: descriptorOf(config, MediaType.ociConfig),
      layers: layers.map((l) => descriptorOf(l, layerMediaType)),
      annotations: { 'org.opencontainers.image.source': 'https://example.test/shop' },
    });
    const descriptor = await this.manifest(repo, tag, manifest);
    const blobBytes = config.length + layers.reduce((sum, l) => sum + l.length, 0);

    return { descriptor, totalBytes: descriptor.size + blobBytes, layers, config };
  }

  /** An artifact (empty config, one payload) that refers to `subject`. */
  async referrer(repo: string, subject: Descriptor, artifactType: string): Promise<Descriptor> {
    const payload = randomBlob(64);
    await this.blob(repo, emptyConfig.bytes);
    await this.blob(repo, payload);
    const manifest = imageManifest({
      artifactType,
      config: { mediaType: emptyConfig.mediaType, digest: emptyConfig.digest, size: 2 },
      layers: [descriptorOf(payload, 'application/octet-stream')],
      subject,
    });

    return this.manifest(repo, sha256(manifestBytes(manifest)), manifest);
  }
}

const users: Record<string, Credentials> = {};
let pusher: Pusher;
let web: Awaited<ReturnType<Pusher['image']>>;
let sbom: Descriptor;
let signature: Descriptor;
let index: Descriptor;
let arm: Awaited<ReturnType<Pusher['image']>>;

beforeAll(async () => {
  const accounts = new AdminApi(server());
  await accounts.createProject('shop');
  await accounts.createProject('open', { public: true });
  for (const role of ['guest', 'developer', 'maintainer']) {
    users[role] = await accounts.createUser(`shop-${role}`);
    await accounts.addMember('shop', 'user', `shop-${role}`, role);
  }
  users.outsider = await accounts.createUser('outsider');

  pusher = new Pusher(adminCredentials);
  web = await pusher.image('shop/web', 'v1');
  await pusher.image('shop/web', 'v2');
  sbom = await pusher.referrer('shop/web', web.descriptor, 'application/spdx+json');
  signature = await pusher.referrer('shop/web', sbom, 'application/vnd.dev.cosign.signature');

  const amd = await pusher.image('shop/tools/multi', 'amd64-only');
  arm = await pusher.image('shop/tools/multi', 'scratch', { os: 'linux', architecture: 'arm64' });
  const children = [
    { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
    { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  index = await pusher.manifest('shop/tools/multi', 'latest', imageIndex(children));
  // The arm64 child is reachable through the index only.
  const untag = await new RegistryAs(server(), adminCredentials).deleteManifest(
    'shop/tools/multi',
    'scratch',
  );
  expect(untag.status).toBe(202);

  await pusher.image('open/hello', 'latest');
});

describe('repositories of a project', () => {
  it('lists each with its artifact count, tag count, size and last push', async () => {
    const res = await api().get<Listing<Repository>>('/projects/shop/repositories', admin);

    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((r) => r.name)).toEqual(['shop/tools/multi', 'shop/web']);
    const webRepo = res.body.items.find((r) => r.name === 'shop/web')!;
    // v1 and v2; the SBOM and its signature are referrers, shown under v1.
    expect(webRepo).toMatchObject({ project: 'shop', artifactCount: 2, tagCount: 2 });
    expect(webRepo.sizeBytes).toBeGreaterThan(web.totalBytes);
    expect(Date.parse(webRepo.lastPushedAt!)).toBeLessThanOrEqual(Date.now());
    const multi = res.body.items.find((r) => r.name === 'shop/tools/multi')!;
    // The index and the tagged amd64 image; the untagged arm64 child is inside the index.
    expect(multi).toMatchObject({ artifactCount: 2, tagCount: 2 });
  });

  it('searches, sorts and pages on the server', async () => {
    const searched = await api().get<Listing<Repository>>(
      '/projects/shop/repositories?search=tools',
      admin,
    );
    expect(searched.body.items.map((r) => r.name)).toEqual(['shop/tools/multi']);
    expect(searched.body.total).toBe(1);

    const bySize = await api().get<Listing<Repository>>(
      '/projects/shop/repositories?sort=-size&pageSize=1&page=2',
      admin,
    );
    const all = await api().get<Listing<Repository>>('/projects/shop/repositories', admin);
    const sizes = all.body.items.map((r) => r.sizeBytes).sort((a, b) => b - a);
    expect(bySize.body).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(bySize.body.items[0]!.sizeBytes).toBe(sizes[1]);
  });

  it('refuses an unknown sort key', async () => {
    const res = await api().get('/projects/shop/repositories?sort=color', {
      ...admin,
      invalid: true,
    });

    expect(res.status).toBe(400);
  });

  it('shows one repository by its encoded full name', async () => {
    const res = await api().get<Repository>(`/repositories/${encode('shop/tools/multi')}`, admin);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'shop/tools/multi', artifactCount: 2 });
  });

  it("reports a project's storage, largest repositories first", async () => {
    const res = await api().get<{
      usedBytes: number;
      limitBytes: number | null;
      repositories: { name: string; sizeBytes: number }[];
      repositoryCount: number;
    }>('/projects/shop/storage', admin);
    const quota = await api().get<{ usedBytes: number }>('/projects/shop/quota', admin);

    expect(res.status).toBe(200);
    expect(res.body.usedBytes).toBe(quota.body.usedBytes);
    expect(res.body.limitBytes).toBeNull();
    expect(res.body.repositoryCount).toBe(2);
    const sizes = res.body.repositories.map((r) => r.sizeBytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });
});

describe('artifacts of a repository', () => {
  it('lists top-level artifacts with sizes, tags and the platforms of an index', async () => {
    const res = await api().get<Listing<Artifact>>(
      `/repositories/${encode('shop/tools/multi')}/artifacts`,
      admin,
    );

    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    const latest = res.body.items.find((a) => a.tags.includes('latest'))!;
    expect(latest.digest).toBe(index.digest);
    expect(latest.mediaType).toBe(MediaType.ociIndex);
    expect(latest.platforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    expect(latest.sizeBytes).toBeGreaterThan(arm.totalBytes);
    expect(res.body.items.map((a) => a.digest)).not.toContain(arm.descriptor.digest);
  });

  it("gives an image's size as manifest, config and layers, and hides its referrers", async () => {
    const res = await api().get<Listing<Artifact>>(
      `/repositories/${encode('shop/web')}/artifacts?search=v1`,
      admin,
    );

    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      digest: web.descriptor.digest,
      sizeBytes: web.totalBytes,
      tags: ['v1'],
      tagCount: 1,
      platforms: [],
      lastPulledAt: null,
    });
    const all = await api().get<Listing<Artifact>>(`/repositories/shop%2Fweb/artifacts`, admin);
    expect(all.body.items.map((a) => a.digest)).not.toContain(sbom.digest);
  });

  it('finds an artifact by a piece of its digest', async () => {
    const piece = web.descriptor.digest.slice(7, 19);
    const res = await api().get<Listing<Artifact>>(
      `/repositories/${encode('shop/web')}/artifacts?search=${piece}`,
      admin,
    );

    expect(res.body.items.map((a) => a.digest)).toEqual([web.descriptor.digest]);
  });

  it('describes an artifact: layers with the step that made each, labels, referrers tree', async () => {
    const res = await api().get<ArtifactDetail>(
      `/repositories/${encode('shop/web')}/artifacts/v1`,
      admin,
    );

    expect(res.status).toBe(200);
    const detail = res.body;
    expect(detail.digest).toBe(web.descriptor.digest);
    expect(detail.layers.map((l) => l.sizeBytes)).toEqual(web.layers.map((l) => l.length));
    expect(detail.layers.map((l) => l.createdBy)).toEqual([
      '/bin/sh -c #(nop) ADD file:rootfs in /',
      'RUN /bin/sh -c make install # buildkit',
    ]);
    expect(detail.history).toHaveLength(3);
    expect(detail.labels).toEqual({ team: 'payments', 'org.example.tier': 'gold' });
    expect(detail.annotations).toEqual({
      'org.opencontainers.image.source': 'https://example.test/shop',
    });
    expect(detail.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(detail.config?.content?.architecture).toBe('amd64');
    expect(detail.manifest.layers).toHaveLength(2);
    expect(detail.referrers).toEqual([
      expect.objectContaining({
        digest: sbom.digest,
        subject: web.descriptor.digest,
        depth: 1,
        artifactType: 'application/spdx+json',
      }),
      expect.objectContaining({ digest: signature.digest, subject: sbom.digest, depth: 2 }),
    ]);
  });

  it("describes an index's children with their platforms", async () => {
    const res = await api().get<ArtifactDetail>(
      `/repositories/${encode('shop/tools/multi')}/artifacts/${index.digest}`,
      admin,
    );

    expect(res.status).toBe(200);
    expect(res.body.children.map((c) => c.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(res.body.layers).toEqual([]);
  });

  it('answers 404 for an unknown tag or digest, 400 for neither', async () => {
    const base = `/repositories/${encode('shop/web')}/artifacts`;
    const unknownTag = await api().get(`${base}/nope`, { ...admin, invalid: true });
    const unknownDigest = await api().get(`${base}/sha256:${'0'.repeat(64)}`, {
      ...admin,
      invalid: true,
    });
    const garbage = await api().get(`${base}/${encodeURIComponent('no way!')}`, {
      ...admin,
      invalid: true,
    });

    expect([unknownTag.status, unknownDigest.status, garbage.status]).toEqual([404, 404, 400]);
  });

  it('charts the size of recent artifacts by push time', async () => {
    const res = await api().get<{
      points: { digest: string; sizeBytes: number; pushedAt: string }[];
    }>(`/repositories/${encode('shop/web')}/size-history`, admin);

    expect(res.status).toBe(200);
    expect(res.body.points).toHaveLength(2);
    const times = res.body.points.map((p) => Date.parse(p.pushedAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(res.body.points[0]).toMatchObject({
      digest: web.descriptor.digest,
      sizeBytes: web.totalBytes,
    });
  });
});

describe('a repository with 10,000 tags', () => {
  const repo = 'shop/many';
  let digest: string;

  beforeAll(async () => {
    const image = await pusher.image(repo, 'tag-00000');
    digest = image.descriptor.digest;
    // Tags go straight into the metadata store: 10,000 pushes would only time the client.
    const meta = server().berth.registry.meta;
    const id = (await meta.findRepository(repo))!;
    const record = (await meta.getManifest(id, digest))!;
    const tags = Array.from({ length: 10_000 }, (_, i) => `tag-${String(i).padStart(5, '0')}`);
    await meta.putManifest(id, record, [], tags);
  });

  it('lists the artifact once, with a few of its tags and their count', async () => {
    const res = await api().get<Listing<Artifact>>(
      `/repositories/${encode(repo)}/artifacts`,
      admin,
    );

    expect(res.body.total).toBe(1);
    expect(res.body.items[0]!.tagCount).toBe(10_000);
    expect(res.body.items[0]!.tags).toHaveLength(10);
    expect(res.body.items[0]!.tags[0]).toBe('tag-00000');
  });

  it('pages through the tags on the server, in byte order', async () => {
    const res = await api().get<Listing<{ name: string; digest: string }>>(
      `/repositories/${encode(repo)}/tags?page=100&pageSize=100`,
      admin,
    );

    expect(res.body.total).toBe(10_000);
    expect(res.body.items).toHaveLength(100);
    expect(res.body.items[0]).toMatchObject({ name: 'tag-09900', digest });
    expect(res.body.items.at(-1)!.name).toBe('tag-09999');
  });

  it('searches the tags', async () => {
    const res = await api().get<Listing<{ name: string }>>(
      `/repositories/${encode(repo)}/tags?search=0999`,
      admin,
    );

    expect(res.body.total).toBe(11);
    expect(res.body.items[0]!.name).toBe('tag-00999');
  });

  it('counts them in the repository listing', async () => {
    const res = await api().get<Listing<Repository>>(
      '/projects/shop/repositories?search=many',
      admin,
    );

    expect(res.body.items[0]).toMatchObject({ name: repo, tagCount: 10_000, artifactCount: 1 });
  });
});

describe('who may see and delete', () => {
  const as = (who: string) => ({ basic: users[who]! });

  it('hides a private project from outsiders and asks anonymous callers to sign in', async () => {
    const outsider = await api().get('/projects/shop/repositories', {
      ...as('outsider'),
      invalid: true,
    });
    const repoOutsider = await api().get(`/repositories/${encode('shop/web')}/artifacts`, {
      ...as('outsider'),
      invalid: true,
    });
    const anonymous = await api().get('/projects/shop/repositories', { invalid: true });

    expect(outsider.status).toBe(404);
    expect(repoOutsider.status).toBe(404);
    expect(anonymous.status).toBe(401);
  });

  it('lets anyone browse a public project', async () => {
    const res = await api().get<Listing<Repository>>('/projects/open/repositories');
    const artifacts = await api().get<Listing<Artifact>>(
      `/repositories/${encode('open/hello')}/artifacts`,
    );

    expect(res.status).toBe(200);
    expect(res.body.items.map((r) => r.name)).toEqual(['open/hello']);
    expect(artifacts.body.total).toBe(1);
  });

  it('lets a guest read but not delete a tag', async () => {
    const read = await api().get(`/repositories/${encode('shop/web')}/tags`, as('guest'));
    const del = await api().delete(`/repositories/${encode('shop/web')}/tags/v2`, {
      ...as('guest'),
      invalid: true,
    });

    expect(read.status).toBe(200);
    expect(del.status).toBe(403);
  });

  it('lets a developer delete a tag, not an artifact; the artifact stays', async () => {
    const base = `/repositories/${encode('shop/web')}`;
    const v2 = await api().get<ArtifactDetail>(`${base}/artifacts/v2`, admin);
    const tagGone = await api().delete(`${base}/tags/v2`, as('developer'));
    const artifact = await api().delete(`${base}/artifacts/${v2.body.digest}`, {
      ...as('developer'),
      invalid: true,
    });
    const still = await api().get(`${base}/artifacts/${v2.body.digest}`, admin);
    const again = await api().delete(`${base}/tags/v2`, { ...as('developer'), invalid: true });

    expect(tagGone.status).toBe(204);
    expect(artifact.status).toBe(403);
    expect(still.status).toBe(200);
    expect(again.status).toBe(404);
  });

  it('lets a maintainer delete an artifact and then the repository, all audited', async () => {
    const base = `/repositories/${encode('shop/web')}`;
    const artifact = await api().delete(
      `${base}/artifacts/${web.descriptor.digest}`,
      as('maintainer'),
    );
    const pulled = await new RegistryAs(server(), adminCredentials).pull('shop/web', 'v1');
    const repository = await api().delete(base, as('maintainer'));
    const gone = await api().get(base, { ...admin, invalid: true });

    expect(artifact.status).toBe(204);
    expect(pulled.status).toBe(404);
    expect(repository.status).toBe(204);
    expect(gone.status).toBe(404);

    const audit = await api().get<{ items: { action: string; actor: string; resource: string }[] }>(
      '/projects/shop/audit',
      admin,
    );
    const events = audit.body.items.map((e) => `${e.action} ${e.actor} ${e.resource}`);
    expect(events).toEqual(
      expect.arrayContaining([
        'tag.delete shop-developer shop/web:v2',
        `artifact.delete shop-maintainer shop/web@${web.descriptor.digest}`,
        'repository.delete shop-maintainer shop/web',
      ]),
    );
  });

  it('refuses malformed names and digests with 400', async () => {
    const name = await api().get(`/repositories/${encode('Shop/Web')}/artifacts`, {
      ...admin,
      invalid: true,
    });
    const digest = await api().delete(`/repositories/${encode('shop/tools/multi')}/artifacts/v1`, {
      ...admin,
      invalid: true,
    });

    expect([name.status, digest.status]).toEqual([400, 400]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the repository endpoints', async () => {
    const res = await api().get<{ paths: Record<string, Record<string, { operationId: string }>> }>(
      '/openapi.json',
    );
    const operations = Object.values(res.body.paths).flatMap((p) =>
      Object.values(p).map((op) => op.operationId),
    );

    expect(operations).toEqual(
      expect.arrayContaining([
        'listRepositories',
        'getProjectStorage',
        'getRepository',
        'deleteRepository',
        'listArtifacts',
        'getArtifact',
        'deleteArtifact',
        'listRepositoryTags',
        'deleteTag',
        'getRepositorySizeHistory',
      ]),
    );
  });
});
