import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crane, oras, orasIn, Regctl, skopeo } from '../support/clients.js';
import { OciLayout } from '../support/oci-layout.js';
import { RegistryApi } from '../support/registry-api.js';
import { startTestServer, tempDir, type TestServer } from '../support/server.js';
import { testImages } from '../support/tools.js';

/*
 * skopeo, crane, oras and regctl against a running Berth, each pushing, pulling, copying,
 * listing tags and deleting. Every effect is checked over the registry's own HTTP API, never
 * through the client that caused it. One server serves the file; each client has its own
 * repositories. podman and buildah are in podman-buildah.test.ts.
 */

const images = testImages();
const bookworm = images['debian-bookworm']!;
const app = images['debian-app']!;
const multiarch = images.multiarch!;

let server: TestServer;
let api: RegistryApi;
let scratch: string;

beforeAll(async () => {
  server = await startTestServer();
  api = new RegistryApi(server.url);
  scratch = tempDir('berth-e2e-clients-');
});

afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** `host/name:tag` on the server under test. */
function ref(name: string, tag: string): string {
  return `${server.host}/${name}:${tag}`;
}

describe('skopeo', () => {
  const repo = 'skopeo/app';
  const docker = (name: string, tag: string) => `docker://${ref(name, tag)}`;
  const copy = (from: string, to: string) =>
    skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', from, to);

  it('pushes an image from an OCI layout with its digest unchanged', async () => {
    await skopeo('copy', '--dest-tls-verify=false', app.reference, docker(repo, 'v1'));

    expect((await api.manifest(repo, 'v1')).digest).toBe(app.digest);
  });

  it('pulls it into an OCI layout with the same manifest and blobs', async () => {
    const dir = path.join(scratch, 'skopeo-pull');
    await skopeo('copy', '--src-tls-verify=false', docker(repo, 'v1'), `oci:${dir}:v1`);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(app.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(app.dir).blobs());
  });

  it('copies the image to another repository', async () => {
    await copy(docker(repo, 'v1'), docker('skopeo/copy', 'v1'));

    expect((await api.manifest('skopeo/copy', 'v1')).digest).toBe(app.digest);
  });

  it('lists the tags the registry lists', async () => {
    await copy(docker(repo, 'v1'), docker(repo, 'stable'));

    const { stdout } = await skopeo(
      'list-tags',
      '--tls-verify=false',
      `docker://${server.host}/${repo}`,
    );
    expect((JSON.parse(stdout) as { Tags: string[] }).Tags).toEqual(['stable', 'v1']);
    expect(await api.tags(repo)).toEqual(['stable', 'v1']);
  });

  it('deletes the manifest behind a tag, and the tag with it, in that repository only', async () => {
    await skopeo('delete', '--tls-verify=false', docker('skopeo/copy', 'v1'));

    expect(await api.manifestStatus('skopeo/copy', app.digest)).toBe(404);
    expect(await api.manifestStatus('skopeo/copy', 'v1')).toBe(404);
    expect(await api.tags('skopeo/copy')).toEqual([]);
    expect(await api.manifestStatus(repo, app.digest)).toBe(200);
  });
});

describe('crane', () => {
  const repo = 'crane/debian';

  it('pushes an OCI layout with its digest unchanged', async () => {
    await crane('push', bookworm.dir, ref(repo, 'bookworm'));

    expect((await api.manifest(repo, 'bookworm')).digest).toBe(bookworm.digest);
  });

  it('pulls it into an OCI layout with the same manifest and blobs', async () => {
    const dir = path.join(scratch, 'crane-pull');
    await crane('pull', '--format', 'oci', ref(repo, 'bookworm'), dir);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest()).toBe(bookworm.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(bookworm.dir).blobs());
  });

  it('copies the image to another repository', async () => {
    await crane('copy', ref(repo, 'bookworm'), ref('crane/copy', 'bookworm'));

    expect((await api.manifest('crane/copy', 'bookworm')).digest).toBe(bookworm.digest);
  });

  it('lists the tags the registry lists', async () => {
    await crane('tag', ref(repo, 'bookworm'), 'latest');

    const { stdout } = await crane('ls', `${server.host}/${repo}`);
    expect(lines(stdout)).toEqual(['bookworm', 'latest']);
    expect(await api.tags(repo)).toEqual(['bookworm', 'latest']);
  });

  it('deletes a tag and leaves the manifest and its other tags', async () => {
    await crane('delete', ref(repo, 'latest'));

    expect(await api.manifestStatus(repo, 'latest')).toBe(404);
    expect(await api.tags(repo)).toEqual(['bookworm']);
    expect(await api.manifestStatus(repo, bookworm.digest)).toBe(200);
  });

  it('deletes a manifest by digest, and its tags with it', async () => {
    await crane('delete', `${server.host}/crane/copy@${bookworm.digest}`);

    expect(await api.manifestStatus('crane/copy', bookworm.digest)).toBe(404);
    expect(await api.manifestStatus('crane/copy', 'bookworm')).toBe(404);
    expect(await api.tags('crane/copy')).toEqual([]);
  });
});

describe('oras', () => {
  const repo = 'oras/notes';
  const artifactType = 'application/vnd.berth.test.notes';
  const notes = 'release notes for the berth end-to-end tests\n';

  it('pushes an image from an OCI layout with its digest unchanged', async () => {
    await oras(
      'cp',
      '--to-plain-http',
      '--from-oci-layout',
      `${app.dir}:v1`,
      ref('oras/app', 'v1'),
    );

    expect((await api.manifest('oras/app', 'v1')).digest).toBe(app.digest);
  });

  it('pulls the image into an OCI layout with the same manifest and blobs', async () => {
    const dir = path.join(scratch, 'oras-layout');
    await oras('cp', '--from-plain-http', ref('oras/app', 'v1'), '--to-oci-layout', `${dir}:v1`);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(app.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(app.dir).blobs());
  });

  it('pushes a file as an artifact of its own type', async () => {
    await writeFile(path.join(scratch, 'notes.txt'), notes);
    await orasIn(
      scratch,
      'push',
      '--plain-http',
      '--artifact-type',
      artifactType,
      ref(repo, 'v1'),
      'notes.txt:text/plain',
    );

    const { body } = await api.manifest(repo, 'v1');
    expect(body.artifactType).toBe(artifactType);
    expect(body.layers?.map((l) => [l.digest, l.mediaType])).toEqual([
      [sha256(notes), 'text/plain'],
    ]);
  });

  it('pulls the file back', async () => {
    const out = path.join(scratch, 'oras-pull');
    await oras('pull', '--plain-http', '--output', out, ref(repo, 'v1'));

    expect(await readFile(path.join(out, 'notes.txt'), 'utf8')).toBe(notes);
  });

  it('copies the artifact to another repository', async () => {
    await oras(
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      ref(repo, 'v1'),
      ref('oras/copy', 'v1'),
    );

    const original = await api.manifest(repo, 'v1');
    expect((await api.manifest('oras/copy', 'v1')).digest).toBe(original.digest);
  });

  it('lists the tags the registry lists', async () => {
    await oras('tag', '--plain-http', ref(repo, 'v1'), 'stable');

    const { stdout } = await oras('repo', 'tags', '--plain-http', `${server.host}/${repo}`);
    expect(lines(stdout)).toEqual(['stable', 'v1']);
    expect(await api.tags(repo)).toEqual(['stable', 'v1']);
  });

  it('deletes the manifest behind a tag, and every tag on it', async () => {
    const { digest } = await api.manifest(repo, 'v1');
    await oras('manifest', 'delete', '--plain-http', '--force', ref(repo, 'v1'));

    expect(await api.manifestStatus(repo, digest)).toBe(404);
    expect(await api.tags(repo)).toEqual([]);
    expect(await api.manifestStatus('oras/copy', digest)).toBe(200);
  });
});

describe('regctl', () => {
  const repo = 'regctl/multiarch';
  const platforms = multiarch.manifests!.map((m) => m.digest);
  let regctl: Regctl;

  beforeAll(async () => {
    regctl = new Regctl(path.join(scratch, 'regctl.json'));
    await regctl.useRegistry(server.host);
  });

  it('pushes an image index from an OCI layout with every platform', async () => {
    await regctl.run('image', 'copy', `ocidir://${multiarch.dir}:v1`, ref(repo, 'v1'));

    expect((await api.manifest(repo, 'v1')).digest).toBe(multiarch.digest);
    for (const digest of platforms) expect(await api.manifestStatus(repo, digest)).toBe(200);
  });

  it('pulls it into an OCI layout with the same manifests and blobs', async () => {
    const dir = path.join(scratch, 'regctl-pull');
    await regctl.run('image', 'copy', ref(repo, 'v1'), `ocidir://${dir}:v1`);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(multiarch.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(multiarch.dir).blobs());
  });

  it('copies the index and every platform to another repository', async () => {
    await regctl.run('image', 'copy', ref(repo, 'v1'), ref('regctl/copy', 'v1'));

    expect((await api.manifest('regctl/copy', 'v1')).digest).toBe(multiarch.digest);
    for (const digest of platforms) {
      expect(await api.manifestStatus('regctl/copy', digest)).toBe(200);
    }
  });

  it('lists the tags the registry lists', async () => {
    await regctl.run('image', 'copy', ref(repo, 'v1'), ref(repo, 'stable'));

    const { stdout } = await regctl.run('tag', 'ls', `${server.host}/${repo}`);
    expect(lines(stdout)).toEqual(['stable', 'v1']);
    expect(await api.tags(repo)).toEqual(['stable', 'v1']);
  });

  it('deletes a tag and leaves the manifest and its other tags', async () => {
    await regctl.run('tag', 'delete', ref(repo, 'stable'));

    expect(await api.manifestStatus(repo, 'stable')).toBe(404);
    expect(await api.tags(repo)).toEqual(['v1']);
    expect(await api.manifestStatus(repo, multiarch.digest)).toBe(200);
  });

  it('deletes a manifest by digest, and its tags with it', async () => {
    await regctl.run('manifest', 'delete', `${server.host}/regctl/copy@${multiarch.digest}`);

    expect(await api.manifestStatus('regctl/copy', multiarch.digest)).toBe(404);
    expect(await api.manifestStatus('regctl/copy', 'v1')).toBe(404);
    expect(await api.tags('regctl/copy')).toEqual([]);
  });

  it('deletes a blob from one repository and leaves it in the others', async () => {
    const arm64 = multiarch.manifests![1]!.digest;
    const { body } = await api.manifest(repo, arm64);
    const layer = body.layers![0]!.digest;
    await regctl.run('blob', 'delete', `${server.host}/regctl/copy`, layer);

    expect(await api.blobStatus('regctl/copy', layer)).toBe(404);
    expect(await api.blobStatus(repo, layer)).toBe(200);
  });
});

describe('tag lists longer than a page', () => {
  const repo = 'paged/notes';
  const tags = ['a', 'b', 'c', 'd', 'e', 'v1'];
  let paged: TestServer;
  let regctl: Regctl;

  beforeAll(async () => {
    paged = await startTestServer({ listing: { maxPageSize: 2 } });
    regctl = new Regctl(path.join(scratch, 'regctl-paged.json'));
    await regctl.useRegistry(paged.host);
    await writeFile(path.join(scratch, 'page.txt'), 'one tag per page\n');
    await orasIn(scratch, 'push', '--plain-http', `${paged.host}/${repo}:v1`, 'page.txt');
    await oras('tag', '--plain-http', `${paged.host}/${repo}:v1`, 'a', 'b', 'c', 'd', 'e');
  });

  afterAll(async () => paged?.close());

  it('come two tags at a time from the registry', async () => {
    expect(await new RegistryApi(paged.url).tags(repo)).toEqual(['a', 'b']);
  });

  it('are followed to the end through Link by crane, skopeo, oras and regctl', async () => {
    const name = `${paged.host}/${repo}`;
    const skopeoTags = await skopeo('list-tags', '--tls-verify=false', `docker://${name}`);

    expect(lines((await crane('ls', name)).stdout)).toEqual(tags);
    expect((JSON.parse(skopeoTags.stdout) as { Tags: string[] }).Tags).toEqual(tags);
    expect(lines((await oras('repo', 'tags', '--plain-http', name)).stdout)).toEqual(tags);
    expect(lines((await regctl.run('tag', 'ls', name)).stdout)).toEqual(tags);
  });
});

function lines(text: string): string[] {
  return text.trim().split('\n');
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
