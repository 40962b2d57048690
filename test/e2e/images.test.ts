import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainersStore, crane, oras, Regctl, skopeo } from '../support/clients.js';
import { OciLayout } from '../support/oci-layout.js';
import { useE2eRegistry, type Manifest } from '../support/registry-api.js';
import { repoRoot } from '../support/server.js';
import { testImages } from '../support/tools.js';

/*
 * The images built by scripts/build-test-images.sh, each pushed with one client and pulled
 * with another: what comes out must be what went in, digest for digest. podman then unpacks
 * them, which shows that the layers mean what they meant (RUN results, deleted files).
 */

const images = testImages();
const bookworm = images['debian-bookworm']!;
const app = images['debian-app']!;
const multiarch = images.multiarch!;

let store: ContainersStore;

const e2e = useE2eRegistry('images');

beforeAll(async () => {
  store = new ContainersStore();
});

afterAll(async () => {
  await store?.remove();
});

/** Pulls with skopeo into an OCI layout under the e2e.scratch dir. */
async function skopeoPull(name: string, tag: string, ...flags: string[]): Promise<OciLayout> {
  const dir = path.join(e2e.scratch, `skopeo-${name.replaceAll('/', '-')}`);
  await skopeo(
    'copy',
    '--src-tls-verify=false',
    ...flags,
    `docker://${e2e.ref(name, tag)}`,
    `oci:${dir}:${tag}`,
  );

  return new OciLayout(dir);
}

/** Pulls with podman by full reference and answers `podman image inspect` fields. */
async function podmanPull(reference: string, format: string, ...flags: string[]): Promise<string> {
  await store.podman('pull', '--tls-verify=false', ...flags, reference);
  const { stdout } = await store.podman('image', 'inspect', '--format', format, reference);

  return stdout.trim();
}

describe('Debian bookworm image (one layer)', () => {
  const repo = 'images/debian';

  it('pushed with crane, pulls with skopeo into an OCI layout with identical digests', async () => {
    await crane('push', bookworm.dir, e2e.ref(repo, 'bookworm'));

    const pulled = await skopeoPull(repo, 'bookworm');
    expect(await pulled.digest('bookworm')).toBe(bookworm.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(bookworm.dir).blobs());
  });

  it('pulls with podman into a Debian 12 root filesystem', async () => {
    const digest = await podmanPull(e2e.ref(repo, 'bookworm'), '{{.Digest}}');

    expect(digest).toBe(bookworm.digest);
    const rootfs = await store.rootfs(e2e.ref(repo, 'bookworm'));
    expect(await readFile(path.join(rootfs, 'etc/debian_version'), 'utf8')).toMatch(/^12\./);
  });
});

describe('multi-layer image built with buildah', () => {
  const repo = 'images/app';
  let rootfs: string;
  const inRootfs = (file: string) => path.join(rootfs, file);

  it('pushed with skopeo, pulls with regctl into an OCI layout with identical digests', async () => {
    await skopeo(
      'copy',
      '--dest-tls-verify=false',
      app.reference,
      `docker://${e2e.ref(repo, 'v1')}`,
    );

    const regctl = new Regctl(path.join(e2e.scratch, 'regctl.json'));
    await regctl.useRegistry(e2e.server.host);
    const dir = path.join(e2e.scratch, 'regctl-app');
    await regctl.run('image', 'copy', e2e.ref(repo, 'v1'), `ocidir://${dir}:v1`);

    const pulled = new OciLayout(dir);
    expect(await pulled.digest('v1')).toBe(app.digest);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(app.dir).blobs());
    expect((await pulled.json(app.digest)).layers).toHaveLength(5);
  });

  it('pulls with podman by its full reference, with the digest skopeo pushed', async () => {
    const digest = await podmanPull(e2e.ref(repo, 'v1'), '{{.Digest}}');

    expect(digest).toBe(app.digest);
    rootfs = await store.rootfs(e2e.ref(repo, 'v1'));
  });

  it('unpacks with the results of its RUN and COPY steps', async () => {
    const greeting = await readFile(path.join(repoRoot, 'test/images/app/greeting.txt'), 'utf8');
    const numbers = Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join('');

    expect(await readFile(inRootfs('srv/app/greeting.txt'), 'utf8')).toBe(greeting);
    expect(await readFile(inRootfs('srv/app/data/numbers.txt'), 'utf8')).toBe(numbers);
    expect(await readFile(inRootfs('etc/passwd'), 'utf8')).toMatch(/^app:x:10001:10001:/m);
    expect((await stat(inRootfs('srv/app/greeting.txt'))).uid).toBe(10001);
  });

  it('unpacks without the files a later step deleted', async () => {
    for (const deleted of ['srv/app/data/e2e.scratch.txt', 'srv/app/cache', 'etc/motd']) {
      await expect(stat(inRootfs(deleted)), deleted).rejects.toThrow(/ENOENT/);
    }
    expect((await stat(inRootfs('srv/app/data'))).isDirectory()).toBe(true);
  });
});

describe('two-platform image index', () => {
  const repo = 'images/multiarch';
  const [amd64, arm64] = multiarch.manifests!;

  it('pushed with oras, pulls with skopeo --all into an OCI layout with both platforms', async () => {
    await oras(
      'cp',
      '--to-plain-http',
      '--from-oci-layout',
      `${multiarch.dir}:v1`,
      e2e.ref(repo, 'v1'),
    );

    const pulled = await skopeoPull(repo, 'v1', '--all');
    expect(await pulled.digest('v1')).toBe(multiarch.digest);
    const index = await pulled.json(multiarch.digest);
    expect(index.manifests?.map((m) => m.digest)).toEqual([amd64!.digest, arm64!.digest]);
    expect(await pulled.verifiedBlobs()).toEqual(await new OciLayout(multiarch.dir).blobs());
  });

  it('copies with crane, every platform and all its blobs arriving', async () => {
    await crane('copy', e2e.ref(repo, 'v1'), e2e.ref('images/multiarch-copy', 'v1'));

    expect((await e2e.api.manifest('images/multiarch-copy', 'v1')).digest).toBe(multiarch.digest);
    for (const platform of [amd64!, arm64!]) {
      const { digest, body } = await e2e.api.manifest('images/multiarch-copy', platform.digest);
      expect(digest).toBe(platform.digest);
      await expectBlobs('images/multiarch-copy', body);
    }
  });

  it('pulls one platform with podman, picked from the index', async () => {
    const image = await podmanPull(
      e2e.ref(repo, 'v1'),
      '{{.Id}} {{.Architecture}}',
      '--platform',
      'linux/arm64/v8',
    );

    const child = await new OciLayout(multiarch.dir).json(arm64!.digest);
    expect(image).toBe(`${child.config!.digest.slice('sha256:'.length)} arm64`);
  });
});

async function expectBlobs(repo: string, manifest: Manifest): Promise<void> {
  for (const blob of [manifest.config!, ...manifest.layers!]) {
    expect(await e2e.api.blobStatus(repo, blob.digest), blob.digest).toBe(200);
  }
}
