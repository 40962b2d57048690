import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crane, oras, orasIn, Regctl, skopeo } from '../support/clients.js';
import { OciLayout } from '../support/oci-layout.js';
import { RegistryApi, useE2eRegistry } from '../support/registry-api.js';
import { startTestServer, type TestServer } from '../support/server.js';
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

const e2e = useE2eRegistry('clients');

describe('skopeo', () => {
  const repo = 'skopeo/app';
  const docker = (name: string, tag: string) => `docker://${e2e.ref(name, tag)}`;
  const copy = (from: string, to: string) =>
    skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', from, to);

  it('pushes an image from an OCI layout with its digest unchanged', async () => {
    await skopeo('copy', '--dest-tls-verify=false', app.reference, docker(repo, 'v1'));

    expect((await e2e.api.manifest(repo, 'v1')).digest).toBe(app.digest);
  });

  it('pulls it into an OCI layout with the same manifest and blobs', async () => {
    const dir = path.join(e2e.scratch, 'skopeo-pull');
    await skopeo('copy', '--src-tls-verify=false', docker(repo, 'v1'), `oci:${dir}:v1`);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(app.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(app.dir).blobs());
  });

  it('copies the image to another repository', async () => {
    await copy(docker(repo, 'v1'), docker('skopeo/copy', 'v1'));

    expect((await e2e.api.manifest('skopeo/copy', 'v1')).digest).toBe(app.digest);
  });

  it('lists the tags the registry lists', async () => {
    await copy(docker(repo, 'v1'), docker(repo, 'stable'));

    const { stdout } = await skopeo(
      'list-tags',
      '--tls-verify=false',
      `docker://${e2e.server.host}/${repo}`,
    );
    expect((JSON.parse(stdout) as { Tags: string[] }).Tags).toEqual(['stable', 'v1']);
    expect(await e2e.api.tags(repo)).toEqual(['stable', 'v1']);
  });

  it('deletes the manifest behind a tag, and the tag with it, in that repository only', async () => {
    await skopeo('delete', '--tls-verify=false', docker('skopeo/copy', 'v1'));

    expect(await e2e.api.manifestStatus('skopeo/copy', app.digest)).toBe(404);
    expect(await e2e.api.manifestStatus('skopeo/copy', 'v1')).toBe(404);
    expect(await e2e.api.tags('skopeo/copy')).toEqual([]);
    expect(await e2e.api.manifestStatus(repo, app.digest)).toBe(200);
  });
});

describe('crane', () => {
  const repo = 'crane/debian';

  it('pushes an OCI layout with its digest unchanged', async () => {
    await crane('push', bookworm.dir, e2e.ref(repo, 'bookworm'));

    expect((await e2e.api.manifest(repo, 'bookworm')).digest).toBe(bookworm.digest);
  });

  it('pulls it into an OCI layout with the same manifest and blobs', async () => {
    const dir = path.join(e2e.scratch, 'crane-pull');
    await crane('pull', '--format', 'oci', e2e.ref(repo, 'bookworm'), dir);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest()).toBe(bookworm.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(bookworm.dir).blobs());
  });

  it('copies the image to another repository', async () => {
    await crane('copy', e2e.ref(repo, 'bookworm'), e2e.ref('crane/copy', 'bookworm'));

    expect((await e2e.api.manifest('crane/copy', 'bookworm')).digest).toBe(bookworm.digest);
  });

  it('lists the tags the registry lists', async () => {
    await crane('tag', e2e.ref(repo, 'bookworm'), 'latest');

    const { stdout } = await crane('ls', `${e2e.server.host}/${repo}`);
    expect(lines(stdout)).toEqual(['bookworm', 'latest']);
    expect(await e2e.api.tags(repo)).toEqual(['bookworm', 'latest']);
  });

  it('deletes a tag and leaves the manifest and its other tags', async () => {
    await crane('delete', e2e.ref(repo, 'latest'));

    expect(await e2e.api.manifestStatus(repo, 'latest')).toBe(404);
    expect(await e2e.api.tags(repo)).toEqual(['bookworm']);
    expect(await e2e.api.manifestStatus(repo, bookworm.digest)).toBe(200);
  });

  it('deletes a manifest by digest, and its tags with it', async () => {
    await crane('delete', `${e2e.server.host}/crane/copy@${bookworm.digest}`);

    expect(await e2e.api.manifestStatus('crane/copy', bookworm.digest)).toBe(404);
    expect(await e2e.api.manifestStatus('crane/copy', 'bookworm')).toBe(404);
    expect(await e2e.api.tags('crane/copy')).toEqual([]);
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
      e2e.ref('oras/app', 'v1'),
    );

    expect((await e2e.api.manifest('oras/app', 'v1')).digest).toBe(app.digest);
  });

  it('pulls the image into an OCI layout with the same manifest and blobs', async () => {
    const dir = path.join(e2e.scratch, 'oras-layout');
    await oras(
      'cp',
      '--from-plain-http',
      e2e.ref('oras/app', 'v1'),
      '--to-oci-layout',
      `${dir}:v1`,
    );

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(app.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(app.dir).blobs());
  });

  it('pushes a file as an artifact of its own type', async () => {
    await writeFile(path.join(e2e.scratch, 'notes.txt'), notes);
    await orasIn(
      e2e.scratch,
      'push',
      '--plain-http',
      '--artifact-type',
      artifactType,
      e2e.ref(repo, 'v1'),
      'notes.txt:text/plain',
    );

    const { body } = await e2e.api.manifest(repo, 'v1');
    expect(body.artifactType).toBe(artifactType);
    expect(body.layers?.map((l) => [l.digest, l.mediaType])).toEqual([
      [sha256(notes), 'text/plain'],
    ]);
  });

  it('pulls the file back', async () => {
    const out = path.join(e2e.scratch, 'oras-pull');
    await oras('pull', '--plain-http', '--output', out, e2e.ref(repo, 'v1'));

    expect(await readFile(path.join(out, 'notes.txt'), 'utf8')).toBe(notes);
  });

  it('copies the artifact to another repository', async () => {
    await oras(
      'cp',
      '--from-plain-http',
      '--to-plain-http',
      e2e.ref(repo, 'v1'),
      e2e.ref('oras/copy', 'v1'),
    );

    const original = await e2e.api.manifest(repo, 'v1');
    expect((await e2e.api.manifest('oras/copy', 'v1')).digest).toBe(original.digest);
  });

  it('lists the tags the registry lists', async () => {
    await oras('tag', '--plain-http', e2e.ref(repo, 'v1'), 'stable');

    const { stdout } = await oras('repo', 'tags', '--plain-http', `${e2e.server.host}/${repo}`);
    expect(lines(stdout)).toEqual(['stable', 'v1']);
    expect(await e2e.api.tags(repo)).toEqual(['stable', 'v1']);
  });

  it('deletes the manifest behind a tag, and every tag on it', async () => {
    const { digest } = await e2e.api.manifest(repo, 'v1');
    await oras('manifest', 'delete', '--plain-http', '--force', e2e.ref(repo, 'v1'));

    expect(await e2e.api.manifestStatus(repo, digest)).toBe(404);
    expect(await e2e.api.tags(repo)).toEqual([]);
    expect(await e2e.api.manifestStatus('oras/copy', digest)).toBe(200);
  });
});

describe('regctl', () => {
  const repo = 'regctl/multiarch';
  const platforms = multiarch.manifests!.map((m) => m.digest);
  let regctl: Regctl;

  beforeAll(async () => {
    regctl = new Regctl(path.join(e2e.scratch, 'regctl.json'));
    await regctl.useRegistry(e2e.server.host);
  });

  it('pushes an image index from an OCI layout with every platform', async () => {
    await regctl.run('image', 'copy', `ocidir://${multiarch.dir}:v1`, e2e.ref(repo, 'v1'));

    expect((await e2e.api.manifest(repo, 'v1')).digest).toBe(multiarch.digest);
    for (const digest of platforms) expect(await e2e.api.manifestStatus(repo, digest)).toBe(200);
  });

  it('pulls it into an OCI layout with the same manifests and blobs', async () => {
    const dir = path.join(e2e.scratch, 'regctl-pull');
    await regctl.run('image', 'copy', e2e.ref(repo, 'v1'), `ocidir://${dir}:v1`);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(multiarch.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(multiarch.dir).blobs());
  });

  it('copies the index and every platform to another repository', async () => {
    await regctl.run('image', 'copy', e2e.ref(repo, 'v1'), e2e.ref('regctl/copy', 'v1'));

    expect((await e2e.api.manifest('regctl/copy', 'v1')).digest).toBe(multiarch.digest);
    for (const digest of platforms) {
      expect(await e2e.api.manifestStatus('regctl/copy', digest)).toBe(200);
    }
  });

  it('lists the tags the registry lists', async () => {
    await regctl.run('image', 'copy', e2e.ref(repo, 'v1'), e2e.ref(repo, 'stable'));

    const { stdout } = await regctl.run('tag', 'ls', `${e2e.server.host}/${repo}`);
    expect(lines(stdout)).toEqual(['stable', 'v1']);
    expect(await e2e.api.tags(repo)).toEqual(['stable', 'v1']);
  });

  it('deletes a tag and leaves the manifest and its other tags', async () => {
    await regctl.run('tag', 'delete', e2e.ref(repo, 'stable'));

    expect(await e2e.api.manifestStatus(repo, 'stable')).toBe(404);
    expect(await e2e.api.tags(repo)).toEqual(['v1']);
    expect(await e2e.api.manifestStatus(repo, multiarch.digest)).toBe(200);
  });

  it('deletes a manifest by digest, and its tags with it', async () => {
    await regctl.run('manifest', 'delete', `${e2e.server.host}/regctl/copy@${multiarch.digest}`);

    expect(await e2e.api.manifestStatus('regctl/copy', multiarch.digest)).toBe(404);
    expect(await e2e.api.manifestStatus('regctl/copy', 'v1')).toBe(404);
    expect(await e2e.api.tags('regctl/copy')).toEqual([]);
  });

  it('deletes a blob from one repository and leaves it in the others', async () => {
    const arm64 = multiarch.manifests![1]!.digest;
    const { body } = await e2e.api.manifest(repo, arm64);
    const layer = body.layers![0]!.digest;
    await regctl.run('blob', 'delete', `${e2e.server.host}/regctl/copy`, layer);

    expect(await e2e.api.blobStatus('regctl/copy', layer)).toBe(404);
    expect(await e2e.api.blobStatus(repo, layer)).toBe(200);
  });
});

describe('tag lists longer than a page', () => {
  const repo = 'paged/notes';
  const tags = ['a', 'b', 'c', 'd', 'e', 'v1'];
  let paged: TestServer;
  let regctl: Regctl;

  beforeAll(async () => {
    paged = await startTestServer({ listing: { maxPageSize: 2 } });
    regctl = new Regctl(path.join(e2e.scratch, 'regctl-paged.json'));
    await regctl.useRegistry(paged.host);
    await writeFile(path.join(e2e.scratch, 'page.txt'), 'one tag per page\n');
    await orasIn(e2e.scratch, 'push', '--plain-http', `${paged.host}/${repo}:v1`, 'page.txt');
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
