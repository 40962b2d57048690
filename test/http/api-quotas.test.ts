// Project quotas (issue 3 item 6): usage counts each stored blob and manifest once per project,
// pushes past the limit are refused with DENIED before their bytes are stored (monolithic and
// chunked blob uploads, mounts, manifests), usage is right at once after deletes, failed pushes
// and cancelled uploads, and passing the warning threshold is audited as quota.warning.
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, adminCredentials, basicHeader, RegistryAs } from '../support/accounts.js';
import { auditEvents, type Quota } from '../support/api-fixtures.js';
import type { ApiClient } from '../support/api-client.js';
import {
  descriptorOf,
  imageManifest,
  manifestBytes,
  MediaType,
  randomBlob,
  sha256,
  type OciErrorBody,
} from '../support/registry-client.js';
import { useTestServer } from '../support/server.js';

const server = useTestServer({ auth: { enabled: true } });

let admin: AdminApi;
let api: ApiClient;
let registry: RegistryAs;

beforeAll(() => {
  admin = new AdminApi(server());
  api = admin.api;
  registry = new RegistryAs(server(), adminCredentials);
});

/** An image's parts: a config, layers and the manifest naming them. */
interface Image {
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
}

function image(layers: Buffer[]): Image {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', id: Math.random() }),
  );
  const manifest = manifestBytes(
    imageManifest({
      config: descriptorOf(config, MediaType.ociConfig),
      layers: layers.map((layer) => descriptorOf(layer)),
    }),
  );

  return { config, layers, manifest };
}

function sizeOf(...parts: Buffer[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0);
}

function postBlob(repo: string, bytes: Buffer, digest = sha256(bytes)): Promise<Response> {
  return registry.fetch(`${repo}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
}

function putManifest(repo: string, reference: string, manifest: Buffer): Promise<Response> {
  return registry.fetch(`${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': MediaType.ociManifest },
    body: manifest,
  });
}

async function push(repo: string, tag: string, img: Image): Promise<void> {
  for (const blob of [img.config, ...img.layers])
    expect((await postBlob(repo, blob)).status).toBe(201);
  expect((await putManifest(repo, tag, img.manifest)).status).toBe(201);
}

async function usage(project: string): Promise<number> {
  const res = await api.get<Quota>(`/projects/${project}/quota`, { basic: adminCredentials });
  expect(res.status).toBe(200);

  return res.body.usedBytes;
}

async function setQuota(project: string, limitBytes: number | null, warning?: number) {
  const res = await api.put<Quota>(`/projects/${project}/quota`, {
    basic: adminCredentials,
    body: warning === undefined ? { limitBytes } : { limitBytes, warning },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);

  return res.body;
}

async function expectQuotaDenied(res: Response): Promise<void> {
  expect(res.status).toBe(403);
  const body = (await res.json()) as OciErrorBody;
  expect(body.errors[0]).toMatchObject({ code: 'DENIED', detail: { reason: 'quota' } });
}

/** Opens an upload session and returns its path below /v2/. */
async function openUpload(repo: string): Promise<string> {
  const res = await registry.fetch(`${repo}/blobs/uploads/`, { method: 'POST' });
  expect(res.status).toBe(202);

  return res.headers.get('location')!.replace(/^\/v2\//, '');
}

function patchChunk(upload: string, bytes: Buffer, offset: number): Promise<Response> {
  return registry.fetch(upload, {
    method: 'PATCH',
    headers: {
      'content-type': 'application/octet-stream',
      'content-range': `${offset}-${offset + bytes.length - 1}`,
    },
    body: bytes,
  });
}

async function uploadedBytes(upload: string): Promise<number> {
  const res = await registry.fetch(upload);
  expect(res.status).toBe(204);

  return Number(res.headers.get('range')!.split('-')[1]) + 1;
}

/**
 * Sends only the headers of a POST that declares `length` body bytes and waits for the answer:
 * a server that reads the body first would never answer.
 */
function answerBeforeBody(path: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server().url}/v2/${path}`, {
      method: 'POST',
      headers: {
        authorization: basicHeader(adminCredentials),
        'content-type': 'application/octet-stream',
        'content-length': String(length),
      },
    });
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      done();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error('no answer before the body was sent'))),
      5000,
    );

    request.on('response', (response) => settle(() => resolve(response.statusCode ?? 0)));
    request.on('error', (err) => settle(() => reject(err)));
    request.flushHeaders();
  });
}

describe('setting a quota', () => {
  beforeAll(async () => {
    await admin.createProject('limits');
    await admin.createUser('limits-admin');
    await admin.addMember('limits', 'user', 'limits-admin', 'project-admin');
  });

  it('sets the limit and warning threshold, and null lifts the limit', async () => {
    expect(await setQuota('limits', 1_000_000, 0.5)).toEqual({
      limitBytes: 1_000_000,
      usedBytes: 0,
      warning: 0.5,
    });
    expect((await setQuota('limits', null)).limitBytes).toBeNull();
  });

  it('is for system administrators, not project admins', async () => {
    const res = await api.put('/projects/limits/quota', {
      basic: { username: 'limits-admin', password: 'limits-admin-password-1' },
      body: { limitBytes: 1 << 40 },
    });

    expect(res.status).toBe(403);
  });

  it.each([
    ['a negative limit', { limitBytes: -1 }],
    ['a warning above 1', { limitBytes: 1000, warning: 1.5 }],
    ['a warning of 0', { limitBytes: 1000, warning: 0 }],
    ['no limit at all', { warning: 0.5 }],
  ])('refuses %s with 400', async (_case, body) => {
    const res = await api.put('/projects/limits/quota', {
      basic: adminCredentials,
      body,
      invalid: true,
    });

    expect(res.status).toBe(400);
  });
});

describe('usage', () => {
  it('counts a layer shared by two images of one project once', async () => {
    await admin.createProject('shared');
    const layer = randomBlob(4000);
    const first = image([layer, randomBlob(1000)]);
    const second = image([layer]);

    await push('shared/one', 'v1', first);
    await push('shared/two', 'v1', second);
    await push('shared/two', 'v1-again', second);

    expect(await usage('shared')).toBe(
      sizeOf(first.config, ...first.layers, first.manifest, second.config, second.manifest),
    );
  });

  it('counts an image pushed into two projects in each', async () => {
    await admin.createProject('left');
    await admin.createProject('right');
    const img = image([randomBlob(3000)]);

    await push('left/app', 'v1', img);
    await push('right/app', 'v1', img);

    const expected = sizeOf(img.config, ...img.layers, img.manifest);
    expect([await usage('left'), await usage('right')]).toEqual([expected, expected]);
  });
});

describe('pushes over the limit', () => {
  const project = 'full';
  let used: number;

  beforeAll(async () => {
    await admin.createProject(project);
    await push(`${project}/app`, 'v1', image([randomBlob(2000)]));
    used = await usage(project);
    await setQuota(project, used + 1000);
  });

  it('refuses a monolithic upload with DENIED and stores nothing', async () => {
    const blob = randomBlob(1500);

    await expectQuotaDenied(await postBlob(`${project}/app`, blob));

    expect(
      await registry.fetch(`${project}/app/blobs/${sha256(blob)}`, { method: 'HEAD' }),
    ).toHaveProperty('status', 404);
    expect(await usage(project)).toBe(used);
  });

  it('refuses a monolithic upload before reading its body when its length is declared', async () => {
    const status = await answerBeforeBody(
      `${project}/app/blobs/uploads/?digest=${sha256(randomBlob(8))}`,
      50_000,
    );

    expect(status).toBe(403);
  });

  it('refuses the chunk of a chunked upload that would pass the limit, keeping the rest', async () => {
    const upload = await openUpload(`${project}/app`);
    const blob = randomBlob(1500);
    expect((await patchChunk(upload, blob.subarray(0, 600), 0)).status).toBe(202);

    await expectQuotaDenied(await patchChunk(upload, blob.subarray(600), 600));

    expect(await uploadedBytes(upload)).toBe(600);
    expect(await usage(project)).toBe(used);
    expect((await registry.fetch(upload, { method: 'DELETE' })).status).toBe(204);
  });

  it('stops a chunk of undeclared length at the limit and rolls it back', async () => {
    const upload = await openUpload(`${project}/app`);
    expect((await patchChunk(upload, randomBlob(100), 0)).status).toBe(202);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(randomBlob(1500));
        controller.close();
      },
    });

    const res = await registry.fetch(upload, {
      method: 'PATCH',
      headers: { 'content-type': 'application/octet-stream' },
      body: stream,
      duplex: 'half',
    } as RequestInit);

    await expectQuotaDenied(res);
    expect(await uploadedBytes(upload)).toBe(100);
    expect(await usage(project)).toBe(used);
  });

  it('refuses a mount that would pass the limit', async () => {
    await admin.createProject('donor');
    const big = randomBlob(1500);
    expect((await postBlob('donor/app', big)).status).toBe(201);

    const res = await registry.fetch(
      `${project}/app/blobs/uploads/?mount=${sha256(big)}&from=donor/app`,
      { method: 'POST' },
    );

    await expectQuotaDenied(res);
    expect(await usage(project)).toBe(used);
  });

  it('refuses a manifest whose bytes would pass the limit, once its blobs fit', async () => {
    const img = image([randomBlob(300)]);
    for (const blob of [img.config, ...img.layers])
      expect((await postBlob(`${project}/app`, blob)).status).toBe(201);
    const afterBlobs = await usage(project);
    await setQuota(project, afterBlobs + img.manifest.length - 1);

    await expectQuotaDenied(await putManifest(`${project}/app`, 'v2', img.manifest));

    expect(await registry.pull(`${project}/app`, 'v2')).toHaveProperty('status', 404);
    expect(await usage(project)).toBe(afterBlobs);
    await setQuota(project, afterBlobs + img.manifest.length);
    expect((await putManifest(`${project}/app`, 'v2', img.manifest)).status).toBe(201);
  });
});

describe('content the project already holds', () => {
  const project = 'brim';
  let img: ReturnType<typeof image>;
  let used: number;

  beforeAll(async () => {
    await admin.createProject(project);
    img = image([randomBlob(2000)]);
    await push(`${project}/app`, 'v1', img);
    used = await usage(project);
    await setQuota(project, used);
  });

  it('may be tagged again at the limit: a re-tag adds no bytes', async () => {
    expect((await putManifest(`${project}/app`, 'stable', img.manifest)).status).toBe(201);

    expect(await usage(project)).toBe(used);
  });

  it('may be mounted and its manifest pushed into another repository of the project', async () => {
    for (const blob of [img.config, ...img.layers]) {
      const res = await registry.fetch(
        `${project}/copy/blobs/uploads/?mount=${sha256(blob)}&from=${project}/app`,
        { method: 'POST' },
      );
      expect(res.status).toBe(201);
    }

    expect((await putManifest(`${project}/copy`, 'v1', img.manifest)).status).toBe(201);
    expect(await usage(project)).toBe(used);
  });

  it('still refuses new bytes at the limit', async () => {
    await expectQuotaDenied(await postBlob(`${project}/app`, randomBlob(10)));
  });
});

describe('uploads running side by side', () => {
  it('cannot each take what is left', async () => {
    await admin.createProject('race');
    await setQuota('race', 5000);

    const results = await Promise.all(
      [0, 1, 2, 3].map(() => postBlob('race/app', randomBlob(3000))),
    );

    const accepted = results.filter((res) => res.status === 201).length;
    expect(accepted).toBe(1);
    expect(results.filter((res) => res.status === 403)).toHaveLength(3);
    expect(await usage('race')).toBeLessThanOrEqual(5000);
  });

  it('give their hold back when they end, refused or not', async () => {
    await admin.createProject('released');
    await setQuota('released', 5000);
    await Promise.all([0, 1, 2].map(() => postBlob('released/app', randomBlob(3000))));

    expect((await postBlob('released/app', randomBlob(1500))).status).toBe(201);
  });
});

describe('usage after deletes, failed pushes and cancelled uploads', () => {
  it('drops at once by what a manifest delete releases, a shared layer only with its last user', async () => {
    await admin.createProject('shrink');
    const layer = randomBlob(5000);
    const a = image([layer]);
    const b = image([layer]);
    await push('shrink/a', 'v1', a);
    await push('shrink/b', 'v1', b);
    const full = await usage('shrink');

    const deleted = await registry.deleteManifest('shrink/a', sha256(a.manifest));
    expect(deleted.status).toBe(202);
    expect(await usage('shrink')).toBe(full - a.manifest.length - a.config.length);

    // The released blobs stay fetchable and deletable, as the spec allows; deleting them
    // changes nothing more.
    for (const blob of [a.config, layer]) {
      expect((await registry.fetch(`shrink/a/blobs/${sha256(blob)}`)).status).toBe(200);
      expect(
        (await registry.fetch(`shrink/a/blobs/${sha256(blob)}`, { method: 'DELETE' })).status,
      ).toBe(202);
    }
    expect(await usage('shrink')).toBe(full - a.manifest.length - a.config.length);

    await registry.deleteManifest('shrink/b', sha256(b.manifest));
    expect(await usage('shrink')).toBe(0);
  });

  it('counts a released blob again once a manifest uses it again', async () => {
    await admin.createProject('again');
    const app = image([randomBlob(4000)]);
    await push('again/app', 'v1', app);
    const full = await usage('again');

    await registry.deleteManifest('again/app', sha256(app.manifest));
    expect(await usage('again')).toBe(0);

    expect((await putManifest('again/app', 'v1', app.manifest)).status).toBe(201);
    expect(await usage('again')).toBe(full);
  });

  it('does not change after a failed upload, a refused manifest or a cancelled upload', async () => {
    await admin.createProject('steady');
    await push('steady/app', 'v1', image([randomBlob(1000)]));
    const before = await usage('steady');

    const wrongDigest = await postBlob('steady/app', randomBlob(700), sha256(randomBlob(700)));
    const missingBlobs = await putManifest('steady/app', 'v2', image([randomBlob(900)]).manifest);
    const upload = await openUpload('steady/app');
    expect((await patchChunk(upload, randomBlob(800), 0)).status).toBe(202);
    const cancelled = await registry.fetch(upload, { method: 'DELETE' });

    expect([wrongDigest.status, missingBlobs.status, cancelled.status]).toEqual([400, 400, 204]);
    expect(await usage('steady')).toBe(before);
  });
});

describe('the warning threshold', () => {
  async function warnings(): Promise<number> {
    return (await auditEvents(api, { action: 'quota.warning', project: 'warned' })).length;
  }

  it('raises quota.warning once each time usage passes it', async () => {
    await admin.createProject('warned');
    await setQuota('warned', 10_000, 0.5);
    const first = randomBlob(3000);

    expect((await postBlob('warned/app', first)).status).toBe(201);
    expect((await postBlob('warned/app', randomBlob(3000))).status).toBe(201);
    await expect.poll(warnings).toBe(1);
    expect((await postBlob('warned/app', randomBlob(1000))).status).toBe(201);

    expect(
      (await registry.fetch(`warned/app/blobs/${sha256(first)}`, { method: 'DELETE' })).status,
    ).toBe(202);
    expect((await postBlob('warned/app', randomBlob(10))).status).toBe(201);
    expect((await postBlob('warned/app', randomBlob(2000))).status).toBe(201);

    await expect.poll(warnings).toBe(2);
    const [latest] = await auditEvents(api, { action: 'quota.warning', project: 'warned' });
    expect(latest).toMatchObject({
      actor: 'system',
      actorKind: 'system',
      resource: 'warned',
      detail: { limitBytes: 10_000, warning: 0.5 },
    });
  });
});
