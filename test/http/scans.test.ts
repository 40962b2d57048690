// Scanning inside the registry, on a server with authentication on: a real Debian image pushed
// with an empty advisory database is scanned on push and found clean-but-unmatched; importing
// the advisory fixture set while the server runs re-matches the stored analysis without reading
// the layers again; findings, packages, SBOMs (as files and as referrers), the full report, the
// history, events and permissions are then checked through the documented API.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDocument, type StoredAnalysis } from '../../src/analysis/documents.js';
import { openAdvisoryStore } from '../../src/scan/advisories/index.js';
import {
  AdminApi,
  adminCredentials,
  basicHeader,
  RegistryAs,
  type Credentials,
} from '../support/accounts.js';
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
  type Descriptor,
} from '../support/registry-client.js';
import { finishedScan, pushLayoutImage } from '../support/scans.js';
import { startTestServer, tempDir, type TestServer } from '../support/server.js';
import { testImages } from '../support/tools.js';
import { importExpectedFixtures, expectedFixtures } from '../unit/scan/match/support.js';

const repo = 'scanned/debian';
const encoded = encodeURIComponent(repo);
const debian = testImages()['debian-bookworm']!;
const expectedFindings = JSON.parse(
  readFileSync(path.join(expectedFixtures, 'expected', 'debian-bookworm.json'), 'utf8'),
) as { id: string; severity: string; status: string; package: { name: string } }[];

let server: TestServer;
let admin: AdminApi;
let api: ApiClient;
let digest: string;
let firstScanAt: number;
const as = (credentials: Credentials) => ({ basic: credentials });
const artifact = (reference = digest) => `/repositories/${encoded}/artifacts/${reference}`;

beforeAll(async () => {
  const dataDir = tempDir();
  server = await startTestServer({
    dataDir,
    auth: { enabled: true },
    scanning: { advisoryCheckInterval: '1s', attachSboms: true },
  });
  admin = new AdminApi(server);
  api = admin.api;
  await admin.createProject('scanned');

  digest = await pushLayoutImage(server, adminCredentials, debian.dir, repo, 'bookworm');
  firstScanAt = (await finishedScan(server, repo, digest)).finishedAt!;
});

afterAll(async () => server?.close());

describe('a push with no advisories imported', () => {
  it('is scanned, and says that nothing could be matched rather than reporting it clean', async () => {
    const scan = await finishedScan(server, repo, digest);

    expect(scan).toMatchObject({ status: 'done', reason: 'push', advisories: 'none' });
    expect(scan.summary).toMatchObject({ total: 0 });
  });
});

describe('an advisory import while the server runs', () => {
  let analysedAt: number;

  beforeAll(async () => {
    analysedAt = (await server.berth.registry.meta.scans.getAnalysis(digest))!.at;
    const store = await openAdvisoryStore(path.join(server.dataDir, 'advisories.db'));
    await importExpectedFixtures(store);
    await store.close();
  });

  it('matches the stored analysis again, without reading the layers', async () => {
    const scan = await finishedScan(server, repo, digest, firstScanAt);
    const analysis = await server.berth.registry.meta.scans.getAnalysis(digest);

    expect(scan).toMatchObject({ status: 'done', reason: 'advisories' });
    expect(scan.advisories).not.toBe('none');
    expect(analysis!.at).toBe(analysedAt);
  });

  it('finds what the analyser finds for the image', async () => {
    const res = await api.get<{ summary: Record<string, number> }>(
      `${artifact()}/scan`,
      as(adminCredentials),
    );

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ digest, status: 'done' });
    expect(res.body.summary).toMatchObject({
      total: expectedFindings.length,
      critical: expectedFindings.filter((f) => f.severity === 'critical').length,
      negligible: expectedFindings.filter((f) => f.severity === 'negligible').length,
    });
  });

  it('records an event naming the new critical finding', async () => {
    const res = await api.get<{
      items: { action: string; resource: string; detail: Record<string, unknown> }[];
    }>('/audit?action=scan.vulnerabilities', as(adminCredentials));

    const critical = expectedFindings.filter((f) => f.severity === 'critical').map((f) => f.id);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      resource: `${repo}@${digest}`,
      detail: { critical: 1, high: 0, newIds: critical },
    });
  });
});

describe('an image on a base scanned before', () => {
  it('reads only its own layers: the reading of the base layer is kept', async () => {
    const app = testImages()['debian-app']!;
    const appDigest = await pushLayoutImage(server, adminCredentials, app.dir, 'scanned/app', 'v1');
    await finishedScan(server, 'scanned/app', appDigest);

    const stored = await server.berth.registry.meta.scans.getAnalysis(appDigest);
    const { inventory } = await decodeDocument<StoredAnalysis>(stored!.content);
    expect(inventory.layers[0]).toMatchObject({ fromCache: true });
    expect(inventory.layers.slice(1).every((layer) => !layer.fromCache)).toBe(true);
  });
});

describe('findings', () => {
  type Page = { items: { id: string; severity: string; status: string }[]; total: number };
  const list = (query: string) =>
    api.get<Page>(`${artifact('bookworm')}/vulnerabilities?${query}`, as(adminCredentials));

  it('are listed most severe first, in pages', async () => {
    const first = await list('pageSize=2');
    const second = await list('pageSize=2&page=2');

    expect(first.body.total).toBe(expectedFindings.length);
    expect(first.body.items.map((f) => f.severity)).toEqual(['critical', 'negligible']);
    expect(second.body.items).toHaveLength(2);
  });

  it('are filtered by severity, status, fixability and text', async () => {
    expect((await list('severity=critical')).body.total).toBe(1);
    expect((await list('severity=critical,negligible')).body.total).toBe(expectedFindings.length);
    expect((await list('status=will-not-fix')).body.items.map((f) => f.id)).toEqual([
      'CVE-2023-45853',
    ]);
    expect((await list('fixable=true')).body.total).toBe(0);
    expect((await list('search=libc6')).body.items.map((f) => f.id)).toEqual(['CVE-2010-4756']);
  });

  it('refuse an unknown severity with a clear error', async () => {
    const res = await api.get<{ errors: { message: string }[] }>(
      `${artifact()}/vulnerabilities?severity=urgent`,
      { ...as(adminCredentials), invalid: true },
    );

    expect(res.status).toBe(400);
    expect(res.body.errors[0]!.message).toContain('"urgent" is not one of');
  });
});

describe('packages and SBOMs', () => {
  it('lists the inventory with counts per type, searchable', async () => {
    const all = await api.get<{ total: number; types: Record<string, number> }>(
      `${artifact()}/packages?pageSize=5`,
      as(adminCredentials),
    );
    const libc = await api.get<{ items: { name: string; purl: string }[] }>(
      `${artifact()}/packages?search=libc6`,
      as(adminCredentials),
    );

    expect(all.body.total).toBeGreaterThan(80);
    expect(all.body.types).toEqual({ deb: all.body.total });
    expect(libc.body.items.map((p) => p.name)).toEqual(['libc6']);
    expect(libc.body.items[0]!.purl).toMatch(/^pkg:deb\/debian\/libc6@/);
  });

  it('serves CycloneDX 1.6 and SPDX 2.3 documents of every package', async () => {
    const { total } = (
      await api.get<{ total: number }>(`${artifact()}/packages`, as(adminCredentials))
    ).body;
    const cdx = await api.get<{ specVersion: string; components: { purl?: string }[] }>(
      `${artifact()}/sbom?format=cyclonedx`,
      as(adminCredentials),
    );
    const spdx = await api.get<{ spdxVersion: string }>(
      `${artifact()}/sbom?format=spdx`,
      as(adminCredentials),
    );
    const bom = cdx.body;
    const doc = spdx.body;

    expect(cdx.headers.get('content-type')).toContain('application/vnd.cyclonedx+json');
    expect(bom.specVersion).toBe('1.6');
    expect(bom.components.filter((c) => c.purl?.startsWith('pkg:deb/'))).toHaveLength(total);
    expect(spdx.headers.get('content-type')).toContain('application/spdx+json');
    expect(doc.spdxVersion).toBe('SPDX-2.3');
  });

  it('are attached to the image as referrers that clients can pull', async () => {
    const scan = await finishedScan(server, repo, digest);
    const referrers = await fetchRegistry(`${repo}/referrers/${digest}`);
    const index = (await referrers.json()) as {
      manifests: { artifactType: string; digest: string }[];
    };

    expect(index.manifests.map((m) => m.artifactType).sort()).toEqual([
      'application/spdx+json',
      'application/vnd.cyclonedx+json',
    ]);
    expect(index.manifests.map((m) => m.digest).sort()).toEqual([...scan.sboms].sort());

    const cdx = index.manifests.find((m) => m.artifactType === 'application/vnd.cyclonedx+json')!;
    const manifest = (await (await fetchRegistry(`${repo}/manifests/${cdx.digest}`)).json()) as {
      subject: { digest: string };
      layers: { digest: string }[];
    };
    const layer = await fetchRegistry(`${repo}/blobs/${manifest.layers[0]!.digest}`);
    expect(manifest.subject.digest).toBe(digest);
    expect((JSON.parse(await layer.text()) as { bomFormat: string }).bomFormat).toBe('CycloneDX');
  });

  it('are not attached again by a rescan', async () => {
    const before = await finishedScan(server, repo, digest);
    const res = await api.post(`${artifact()}/scan`, as(adminCredentials));
    const after = await finishedScan(server, repo, digest, before.finishedAt!);

    expect(res.status).toBe(202);
    expect(after.sboms).toEqual(before.sboms);
    const index = (await (await fetchRegistry(`${repo}/referrers/${digest}`)).json()) as {
      manifests: unknown[];
    };
    expect(index.manifests).toHaveLength(2);
  });
});

describe('a deleted SBOM referrer', () => {
  it('is attached again by the next scan, alone', async () => {
    const before = await finishedScan(server, repo, digest);
    const index = (await (await fetchRegistry(`${repo}/referrers/${digest}`)).json()) as {
      manifests: { artifactType: string; digest: string }[];
    };
    const cdx = index.manifests.find((m) => m.artifactType === 'application/vnd.cyclonedx+json')!;
    const spdx = index.manifests.find((m) => m.artifactType === 'application/spdx+json')!;
    const deleted = await fetchRegistry(`${repo}/manifests/${cdx.digest}`, 'DELETE');
    expect(deleted.status).toBe(202);

    await api.post(`${artifact()}/scan`, as(adminCredentials));
    const after = await finishedScan(server, repo, digest, before.finishedAt!);
    const again = (await (await fetchRegistry(`${repo}/referrers/${digest}`)).json()) as {
      manifests: { artifactType: string; digest: string }[];
    };

    expect(again.manifests.map((m) => m.artifactType).sort()).toEqual([
      'application/spdx+json',
      'application/vnd.cyclonedx+json',
    ]);
    expect(again.manifests.map((m) => m.digest)).toContain(spdx.digest);
    expect(after.sboms).not.toContain(cdx.digest);
  });
});

describe('reports and history', () => {
  it('serves the full JSON report as berth scan writes it', async () => {
    const res = await api.get<{ reportVersion: number; findings: unknown[] }>(
      `${artifact()}/scan/report`,
      as(adminCredentials),
    );
    const report = res.body;

    expect(report.reportVersion).toBe(1);
    expect(report.findings).toHaveLength(expectedFindings.length);
  });

  it('keeps the counts of every match, oldest first', async () => {
    const res = await api.get<{ points: { summary: { total: number } }[] }>(
      `${artifact()}/scan/history`,
      as(adminCredentials),
    );

    expect(res.body.points.map((p) => p.summary.total)).toEqual([0, expectedFindings.length]);
  });

  it('shows the queue and the advisory sources to signed-in users', async () => {
    const res = await api.get<{ advisories: { sources: { name: string }[] } }>(
      '/scanning',
      as(adminCredentials),
    );

    expect(res.body.advisories.sources.map((s) => s.name)).toEqual(['debian', 'osv']);
  });
});

describe('what is not an image', () => {
  it('an artifact with another config is not scanned, and asking for it is refused', async () => {
    const subject = await pushRandomImage(server, 'random');
    const referrer = await pushManifestAs(server, repo, {
      artifactType: 'application/example',
      config: await pushBlobAs(server, repo, emptyConfig.bytes, MediaType.ociEmpty),
      layers: [await pushBlobAs(server, repo, randomBlob(32), 'application/octet-stream')],
      subject,
    });

    const status = await api.get(`${artifact(referrer.digest)}/scan`, as(adminCredentials));
    const request = await api.post(`${artifact(referrer.digest)}/scan`, {
      ...as(adminCredentials),
      invalid: true,
    });
    expect(status.body).toMatchObject({ status: 'unsupported' });
    expect(request.status).toBe(400);
  });

  it('an image whose layer is not a tar is scanned, and the problem reported', async () => {
    const image = await pushRandomImage(server, 'garbage');
    await finishedScan(server, repo, image.digest);

    const res = await api.get<{ problems: { kind: string }[]; matched: boolean }>(
      `${artifact(image.digest)}/vulnerabilities`,
      as(adminCredentials),
    );
    expect(res.status).toBe(200);
    expect(res.body.problems.map((p) => p.kind)).toContain('layer-format');
  });

  it('an image whose config is not JSON is scanned, and the config reported', async () => {
    const config = await pushBlobAs(server, repo, Buffer.from('not json'), MediaType.ociConfig);
    const layer = await pushBlobAs(server, repo, randomBlob(64), layerMediaType);
    const image = await pushManifestAs(server, repo, { config, layers: [layer] });
    const scan = await finishedScan(server, repo, image.digest);

    const res = await api.get<{ problems: { kind: string }[] }>(
      `${artifact(image.digest)}/vulnerabilities`,
      as(adminCredentials),
    );
    expect(scan.status).toBe('done');
    expect(scan.summary).toMatchObject({ problems: 2 });
    expect(res.body.problems.map((p) => p.kind).sort()).toEqual([
      'config-unreadable',
      'layer-format',
    ]);
  });

  it('an index is scanned through its images, with their counts added up', async () => {
    const child = { mediaType: MediaType.ociManifest, digest, size: await manifestSize() };
    const index = await pushManifestAs(server, repo, imageIndex([child]), MediaType.ociIndex);

    const res = await api.get<{ status: string; summary: { total: number }; children: unknown[] }>(
      `${artifact(index.digest)}/scan`,
      as(adminCredentials),
    );
    expect(res.body.status).toBe('done');
    expect(res.body.children).toHaveLength(1);
    expect(res.body.summary.total).toBe(expectedFindings.length);
  });
});

describe('permissions', () => {
  let guest: Credentials;
  let limited: Credentials;
  let developer: Credentials;
  let maintainer: Credentials;

  beforeAll(async () => {
    guest = await admin.createUser('scan-guest');
    limited = await admin.createUser('scan-limited');
    developer = await admin.createUser('scan-developer');
    maintainer = await admin.createUser('scan-maintainer');
    await admin.addMember('scanned', 'user', 'scan-guest', 'guest');
    await admin.addMember('scanned', 'user', 'scan-limited', 'limited-guest');
    await admin.addMember('scanned', 'user', 'scan-developer', 'developer');
    await admin.addMember('scanned', 'user', 'scan-maintainer', 'maintainer');
  });

  it('anyone who may pull reads findings; read-sbom reads packages and SBOMs', async () => {
    expect((await api.get(`${artifact()}/vulnerabilities`, as(guest))).status).toBe(200);
    expect((await api.get(`${artifact()}/packages`, as(limited))).status).toBe(200);
    expect((await api.get(`${artifact()}/sbom`, as(limited))).status).toBe(200);
  });

  it('asking for a scan takes a maintainer', async () => {
    expect((await api.post(`${artifact()}/scan`, as(developer))).status).toBe(403);
    expect((await api.post(`${artifact()}/scan`, as(maintainer))).status).toBe(202);
  });

  it('outsiders cannot tell the private project has a scan', async () => {
    const stranger = await admin.createUser('scan-stranger');

    expect((await api.get(`${artifact()}/scan`, as(stranger))).status).toBe(404);
    expect((await api.get(`${artifact()}/vulnerabilities`, {})).status).toBe(401);
  });

  it('a robot granted one repository reads its findings, and no other repository', async () => {
    const robot = await admin.createRobot('scan-reader', [
      { project: 'scanned', repositories: ['debian'], actions: ['pull', 'read-sbom'] },
    ]);

    expect((await api.get(`${artifact()}/vulnerabilities`, as(robot))).status).toBe(200);
    expect((await api.get(`${artifact()}/packages`, as(robot))).status).toBe(200);
    const other = `/repositories/scanned%2Fapp/artifacts/v1/vulnerabilities`;
    expect((await api.get(other, as(robot))).status).toBe(404);
  });

  it('a full rescan is for system administrators', async () => {
    expect((await api.post('/scanning/rescan', as(maintainer))).status).toBe(403);
    expect((await api.post('/scanning/rescan', as(adminCredentials))).status).toBe(202);
  });
});

describe('with scanning turned off', () => {
  it('the endpoints answer 404 and pushes queue nothing', async () => {
    const off = await startTestServer({ auth: { enabled: true }, scanning: { enabled: false } });
    try {
      const offAdmin = new AdminApi(off);
      await offAdmin.createProject('quiet');
      const pushed = await new RegistryAs(off, adminCredentials).pushed('quiet/app', 'v1');
      const res = await offAdmin.api.get(
        `/repositories/quiet%2Fapp/artifacts/${pushed}/scan`,
        as(adminCredentials),
      );

      expect(res.status).toBe(404);
      expect(await off.berth.registry.meta.scans.countByStatus()).toMatchObject({ queued: 0 });
    } finally {
      await off.close();
    }
  });
});

describe('an advisory database that cannot be read', () => {
  it('is named in the scanning status, which still answers, until a good file replaces it', async () => {
    const other = await startTestServer({ auth: { enabled: true } });
    const file = path.join(other.dataDir, 'advisories.db');
    try {
      const otherApi = new AdminApi(other).api;
      writeFileSync(
        file,
        'this is not an SQLite database, but it is where one should be\n'.repeat(99),
      );
      const broken = await otherApi.get<{ advisories: Record<string, unknown> }>(
        '/scanning',
        as(adminCredentials),
      );

      const store = await openAdvisoryStore(`${file}.new`);
      await importExpectedFixtures(store);
      await store.close();
      renameSync(`${file}.new`, file);
      const mended = await otherApi.get<{ advisories: Record<string, unknown> }>(
        '/scanning',
        as(adminCredentials),
      );

      expect(broken.status).toBe(200);
      expect(broken.body.advisories).toMatchObject({ version: 'unreadable', sources: [] });
      expect(broken.body.advisories.error).toMatch(/^cannot be read: /);
      expect(mended.body.advisories.error).toBeUndefined();
      expect(mended.body.advisories.sources).toHaveLength(2);
    } finally {
      await other.close();
    }
  });
});

/** An image manifest (OCI config) whose one layer is random bytes, not a tar. */
async function pushRandomImage(target: TestServer, tag: string): Promise<Descriptor> {
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64' }));
  return pushManifestAs(
    target,
    repo,
    {
      config: await pushBlobAs(target, repo, config, MediaType.ociConfig),
      layers: [await pushBlobAs(target, repo, randomBlob(512), layerMediaType)],
    },
    MediaType.ociManifest,
    tag,
  );
}

async function pushBlobAs(
  target: TestServer,
  name: string,
  bytes: Buffer,
  mediaType: string,
): Promise<Descriptor> {
  const descriptor = descriptorOf(bytes, mediaType);
  const res = await fetch(`${target.url}/v2/${name}/blobs/uploads/?digest=${descriptor.digest}`, {
    method: 'POST',
    headers: { authorization: basicHeader(adminCredentials) },
    body: bytes,
  });
  expect(res.status).toBe(201);

  return descriptor;
}

async function pushManifestAs(
  target: TestServer,
  name: string,
  manifest: Parameters<typeof imageManifest>[0] | Record<string, unknown>,
  mediaType: string = MediaType.ociManifest,
  tag?: string,
): Promise<Descriptor> {
  const body = manifestBytes(
    mediaType === MediaType.ociIndex
      ? (manifest as Record<string, unknown>)
      : imageManifest(manifest as Parameters<typeof imageManifest>[0]),
  );
  const descriptor = descriptorOf(body, mediaType);
  const res = await fetch(`${target.url}/v2/${name}/manifests/${tag ?? descriptor.digest}`, {
    method: 'PUT',
    headers: { authorization: basicHeader(adminCredentials), 'content-type': mediaType },
    body,
  });
  expect(res.status, await res.clone().text()).toBe(201);

  return descriptor;
}

function fetchRegistry(pathAndQuery: string, method = 'GET'): Promise<Response> {
  return fetch(`${server.url}/v2/${pathAndQuery}`, {
    method,
    headers: {
      authorization: basicHeader(adminCredentials),
      accept: `${MediaType.ociManifest}, ${MediaType.ociIndex}`,
    },
  });
}

async function manifestSize(): Promise<number> {
  const res = await fetchRegistry(`${repo}/manifests/${digest}`);
  return (await res.arrayBuffer()).byteLength;
}
