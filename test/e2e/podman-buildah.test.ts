import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainersStore } from '../support/clients.js';
import { OciLayout } from '../support/oci-layout.js';
import { useE2eRegistry, type ImageConfig, type Manifest } from '../support/registry-api.js';
import { testImages } from '../support/tools.js';

/*
 * podman and buildah against a running Berth, each with private vfs stores under a temp dir.
 * Neither has a command that deletes from a registry, and buildah none that lists tags, so those
 * steps are covered by the other clients only.
 *
 * Both keep layers uncompressed and compress again on push, unless containers/image's blob-info
 * cache (shared by every tool run as root) tells them the registry already holds a compressed
 * copy. Layer digests after a push from a store therefore depend on that cache; the config
 * (and with it every uncompressed layer digest) must not, and is what is compared.
 */

const app = testImages()['debian-app']!;

let appManifest: Manifest;

const e2e = useE2eRegistry('containers');

beforeAll(async () => {
  appManifest = await new OciLayout(app.dir).json(app.digest);
});

/** Checks a pushed image: the expected config, and layers whose bytes hash to their digests. */
async function expectPushed(repo: string, tag: string, configDigest: string, layers: number) {
  const { digest, body } = await e2e.api.manifest(repo, tag);

  expect(body.config?.digest).toBe(configDigest);
  expect(body.layers).toHaveLength(layers);
  for (const layer of body.layers!) {
    expect(await e2e.api.blobSha256(repo, layer.digest)).toBe(layer.digest);
  }

  return digest;
}

describe('podman', () => {
  const repo = 'podman/app';
  let pusher: ContainersStore;
  let puller: ContainersStore;
  let pushed: string;

  beforeAll(() => {
    pusher = new ContainersStore();
    puller = new ContainersStore();
  });

  afterAll(async () => {
    await pusher?.remove();
    await puller?.remove();
  });

  it('pushes an image from its store with the same config and intact layers', async () => {
    await pusher.load(app.reference, 'localhost/berth/app:v1');
    await pusher.podman(
      'push',
      '--tls-verify=false',
      'localhost/berth/app:v1',
      e2e.ref(repo, 'v1'),
    );

    pushed = await expectPushed(repo, 'v1', appManifest.config!.digest, 5);
  });

  it('pulls the image by its full reference into another store', async () => {
    await puller.podman('pull', '--tls-verify=false', e2e.ref(repo, 'v1'));

    const { stdout } = await puller.podman(
      'image',
      'inspect',
      '--format',
      '{{.Digest}} {{.Id}}',
      e2e.ref(repo, 'v1'),
    );
    const configHex = appManifest.config!.digest.slice('sha256:'.length);
    expect(stdout.trim()).toBe(`${pushed} ${configHex}`);
  });

  it('copies the pulled image to another repository with its digest unchanged', async () => {
    await puller.podman(
      'push',
      '--tls-verify=false',
      e2e.ref(repo, 'v1'),
      e2e.ref('podman/copy', 'v1'),
    );

    expect((await e2e.api.manifest('podman/copy', 'v1')).digest).toBe(pushed);
  });

  it('lists the tags the registry lists', async () => {
    await puller.podman('push', '--tls-verify=false', e2e.ref(repo, 'v1'), e2e.ref(repo, 'stable'));

    const { stdout } = await puller.podman(
      'search',
      '--list-tags',
      '--tls-verify=false',
      '--format',
      'json',
      `${e2e.server.host}/${repo}`,
    );
    expect((JSON.parse(stdout) as { Tags: string[] }[])[0]?.Tags).toEqual(['stable', 'v1']);
    expect(await e2e.api.tags(repo)).toEqual(['stable', 'v1']);
  });
});

describe('buildah', () => {
  const repo = 'buildah/app';
  let loader: ContainersStore;
  let builder: ContainersStore;

  beforeAll(() => {
    loader = new ContainersStore();
    builder = new ContainersStore();
  });

  afterAll(async () => {
    await loader?.remove();
    await builder?.remove();
  });

  it('pushes an image loaded from an OCI layout with the same config and intact layers', async () => {
    await loader.load(app.reference, 'localhost/berth/app:v1');
    await loader.buildah(
      'push',
      '--tls-verify=false',
      'localhost/berth/app:v1',
      `docker://${e2e.ref(repo, 'v1')}`,
    );

    await expectPushed(repo, 'v1', appManifest.config!.digest, 5);
  });

  it('builds on the image it pulls and pushes the result with one more layer', async () => {
    await buildWithLabel(e2e.ref(repo, 'v1'), e2e.ref(repo, 'v2'), 'berth.test=buildah');
    await builder.buildah('push', '--tls-verify=false', e2e.ref(repo, 'v2'));

    const built = await e2e.api.manifest(repo, 'v2');
    const config = await e2e.api.blobJson<ImageConfig>(repo, built.body.config!.digest);
    const base = await new OciLayout(app.dir).json<ImageConfig>(appManifest.config!.digest);
    expect(config.rootfs.diff_ids.slice(0, 5)).toEqual(base.rootfs.diff_ids);
    expect(config.rootfs.diff_ids).toHaveLength(6);
    expect(config.config?.Labels?.['berth.test']).toBe('buildah');
    await expectPushed(repo, 'v2', built.body.config!.digest, 6);
  });

  it('copies the built image to another repository with its digest unchanged', async () => {
    await builder.buildah(
      'push',
      '--tls-verify=false',
      e2e.ref(repo, 'v2'),
      `docker://${e2e.ref('buildah/copy', 'v2')}`,
    );

    const original = await e2e.api.manifest(repo, 'v2');
    expect((await e2e.api.manifest('buildah/copy', 'v2')).digest).toBe(original.digest);
  });

  /** `buildah from` the base (pulling it), add a file and a label, and commit as `target`. */
  async function buildWithLabel(base: string, target: string, label: string): Promise<void> {
    const file = path.join(e2e.scratch, 'added.txt');
    await writeFile(file, 'added by buildah\n');

    const from = await builder.buildah('from', '--tls-verify=false', base);
    const container = from.stdout.trim();
    await builder.buildah('copy', container, file, '/srv/app/added.txt');
    await builder.buildah('config', '--label', label, container);
    await builder.buildah('commit', '--format', 'oci', container, target);
  }
});
