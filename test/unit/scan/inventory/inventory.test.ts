import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyseImage,
  MemoryLayerCache,
  type ImageInventory,
} from '../../../../src/scan/inventory/index.js';
import { BlobSet, file, gzipTarOf, tarOf, type EntrySpec } from './layers.js';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/scan/inventory');

interface Stanza {
  name: string;
  version: string;
  arch?: string;
  source?: string;
  status?: string;
}

function stanza({
  name,
  version,
  arch = 'amd64',
  source,
  status = 'install ok installed',
}: Stanza) {
  return [
    `Package: ${name}`,
    status === '' ? undefined : `Status: ${status}`,
    'Priority: optional',
    `Architecture: ${arch}`,
    source === undefined ? undefined : `Source: ${source}`,
    `Version: ${version}`,
    'Description: a package',
    ' with a long description',
    ' .',
    ' over lines',
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

function status(...stanzas: Stanza[]): EntrySpec {
  return file('var/lib/dpkg/status', `${stanzas.map(stanza).join('\n\n')}\n`);
}

const debianRelease = [
  file(
    'usr/lib/os-release',
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
  ),
  { symlink: 'etc/os-release', target: '../usr/lib/os-release' },
  file('etc/debian_version', '12.5\n'),
] satisfies EntrySpec[];

const dep5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: openssl

Files: *
Copyright: 1998-2024 The OpenSSL Authors
License: Apache-2.0

Files: debian/*
Copyright: 2024 Debian
License: GPL-2+
 This program is free software.
 .
 More text.

License: Apache-2.0
 The full text.
`;

async function analyse(blobs: BlobSet, layers: Buffer[], cache?: MemoryLayerCache) {
  const digests = layers.map((layer) => blobs.add(layer));
  const inventory = await analyseImage({ layers: digests, openBlob: blobs.open, cache });

  return { inventory, digests };
}

function summary(inventory: ImageInventory, digests: string[]) {
  return inventory.packages.map((item) => ({
    type: item.type,
    name: item.name,
    version: item.version,
    layer: digests.indexOf(item.layerDigest),
  }));
}

describe('analyseImage: Debian', () => {
  it('reads dpkg status through a symlinked os-release, with sources, licences and files', async () => {
    const { inventory, digests } = await analyse(new BlobSet(), [
      await gzipTarOf([
        ...debianRelease,
        { symlink: 'bin', target: 'usr/bin' },
        file('usr/bin/openssl', 'ELF'),
        status(
          { name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' },
          { name: 'openssl', version: '3.0.11-1~deb12u2' },
          { name: 'libgcc-s1', version: '12.2.0-14', source: 'gcc-12 (12.2.0-14+deb12u1)' },
          { name: 'gone', version: '1.0', status: 'deinstall ok config-files' },
          { name: 'leaving', version: '2.0', status: 'deinstall ok installed' },
        ),
        file(
          'var/lib/dpkg/info/openssl.list',
          '/.\n/usr\n/usr/bin\n/bin/openssl\n/usr/share/gone\n',
        ),
        file('usr/share/doc/openssl/copyright', dep5),
        { symlink: 'usr/share/doc/libssl3', target: 'openssl' },
        file('usr/share/doc/libgcc-s1/copyright', 'See /usr/share/common-licenses/GPL-3.\n'),
      ]),
    ]);

    expect(inventory.os).toEqual({
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(inventory.problems).toEqual([]);
    expect(inventory.packages.map((item) => item.name)).toEqual([
      'leaving',
      'libgcc-s1',
      'libssl3',
      'openssl',
    ]);

    const [, gcc, libssl, openssl] = inventory.packages;
    expect(libssl).toEqual({
      type: 'deb',
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      sourceName: 'openssl',
      sourceVersion: '3.0.11-1~deb12u2',
      arch: 'amd64',
      licenses: ['Apache-2.0', 'GPL-2+'],
      purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
      location: '/var/lib/dpkg/status',
      layerDigest: digests[0],
    });
    expect(gcc).toMatchObject({
      sourceName: 'gcc-12',
      sourceVersion: '12.2.0-14+deb12u1',
      licenses: ['GPL-3'],
    });
    expect(openssl?.files).toEqual(['/usr/bin/openssl']);
  });

  it('attributes packages to the layer that introduced them and drops removed ones', async () => {
    const base = [
      { name: 'base-files', version: '12.4' },
      { name: 'libssl3', version: '3.0.11-1~deb12u1' },
      { name: 'tzdata', version: '2024a-0' },
    ];
    const { inventory, digests } = await analyse(new BlobSet(), [
      await gzipTarOf([...debianRelease, status(...base)]),
      // apt-get install curl, with an upgrade of libssl3 on the way.
      await gzipTarOf([
        status(
          base[0] as Stanza,
          { name: 'libssl3', version: '3.0.11-1~deb12u2' },
          base[2] as Stanza,
          {
            name: 'curl',
            version: '7.88.1-10',
          },
        ),
      ]),
      // apt-get purge tzdata.
      await gzipTarOf([
        status(
          base[0] as Stanza,
          { name: 'libssl3', version: '3.0.11-1~deb12u2' },
          { name: 'curl', version: '7.88.1-10' },
        ),
      ]),
      await gzipTarOf([file('srv/app', 'unrelated')]),
    ]);

    expect(summary(inventory, digests)).toEqual([
      { type: 'deb', name: 'base-files', version: '12.4', layer: 0 },
      { type: 'deb', name: 'curl', version: '7.88.1-10', layer: 1 },
      { type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', layer: 1 },
    ]);
  });

  it('attributes a package removed and installed again to the layer that reinstalled it', async () => {
    const foo = { name: 'foo', version: '1.0' };
    const bar = { name: 'bar', version: '2.0' };
    const { inventory, digests } = await analyse(new BlobSet(), [
      await gzipTarOf([status(foo, bar)]),
      await gzipTarOf([status(bar)]),
      await gzipTarOf([status(bar, foo)]),
    ]);

    expect(summary(inventory, digests)).toEqual([
      { type: 'deb', name: 'bar', version: '2.0', layer: 0 },
      { type: 'deb', name: 'foo', version: '1.0', layer: 2 },
    ]);
  });

  it('reads distroless status.d files, and a whiteout of one removes that package', async () => {
    const { inventory, digests } = await analyse(new BlobSet(), [
      await tarOf([
        file('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
        file(
          'var/lib/dpkg/status.d/base-files',
          `${stanza({ name: 'base-files', version: '12.4', status: '' })}\n`,
        ),
        file(
          'var/lib/dpkg/status.d/libc6',
          `${stanza({ name: 'libc6', version: '2.36-9', source: 'glibc', status: '' })}\n`,
        ),
        file(
          'var/lib/dpkg/status.d/libc6.md5sums',
          'd41d8cd98f00b204e9800998ecf8427e  lib/x86_64-linux-gnu/libc.so.6\n',
        ),
        file('lib/x86_64-linux-gnu/libc.so.6', 'ELF'),
        file(
          'var/lib/dpkg/status.d/tzdata',
          `${stanza({ name: 'tzdata', version: '2024a-0', arch: 'all', status: '' })}\n`,
        ),
      ]),
      await tarOf([{ whiteout: 'var/lib/dpkg/status.d/tzdata' }]),
    ]);

    expect(summary(inventory, digests)).toEqual([
      { type: 'deb', name: 'base-files', version: '12.4', layer: 0 },
      { type: 'deb', name: 'libc6', version: '2.36-9', layer: 0 },
    ]);
    expect(inventory.packages[1]).toMatchObject({
      sourceName: 'glibc',
      location: '/var/lib/dpkg/status.d/libc6',
      files: ['/lib/x86_64-linux-gnu/libc.so.6'],
    });
  });

  it('loses the packages of a status file whose directory an upper layer made opaque', async () => {
    const { inventory } = await analyse(new BlobSet(), [
      await gzipTarOf([status({ name: 'foo', version: '1' })]),
      await gzipTarOf([{ opaque: 'var/lib/dpkg' }, file('var/lib/dpkg/other', '')]),
    ]);

    expect(inventory.packages).toEqual([]);
  });

  it('takes the OS from the layer that last wrote the symlink target', async () => {
    const { inventory } = await analyse(new BlobSet(), [
      await gzipTarOf(debianRelease),
      await gzipTarOf([
        file('usr/lib/os-release', 'ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n'),
      ]),
    ]);

    expect(inventory.os).toEqual({ id: 'debian', versionId: '13', codename: 'trixie' });
  });

  it('falls back to /etc/debian_version without os-release', async () => {
    const { inventory } = await analyse(new BlobSet(), [
      await gzipTarOf([file('etc/debian_version', '11.9\n')]),
    ]);

    expect(inventory.os).toEqual({ id: 'debian', versionId: '11' });
  });
});

describe('analyseImage: Alpine', () => {
  it('reads a zstd layer written by the zstd program', async () => {
    const { inventory, digests } = await analyse(new BlobSet(), [
      readFileSync(path.join(fixtures, 'alpine-frames.tar.zst')),
    ]);

    expect(inventory.os).toEqual({
      id: 'alpine',
      versionId: '3.19.1',
      prettyName: 'Alpine Linux v3.19',
    });
    expect(inventory.packages.map((item) => [item.name, item.sourceName, item.version])).toEqual([
      ['busybox-binsh', 'busybox', '1.36.1-r15'],
      ['libcrypto3', 'openssl', '3.1.4-r5'],
      ['libssl3', 'openssl', '3.1.4-r5'],
      ['musl', 'musl', '1.2.4_git20230717-r4'],
    ]);
    expect(inventory.packages[1]).toMatchObject({
      type: 'apk',
      arch: 'x86_64',
      licenses: ['Apache-2.0'],
      purl: 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1',
      location: '/lib/apk/db/installed',
      layerDigest: digests[0],
    });
    expect(inventory.layers).toMatchObject([{ complete: true, entries: 7 }]);
  });
});

describe('analyseImage: language packages', () => {
  it('reads node_modules and sees an opaque directory replace them', async () => {
    const manifest = (name: string, version: string) =>
      JSON.stringify({ name, version, license: 'MIT' });
    const { inventory, digests } = await analyse(new BlobSet(), [
      await gzipTarOf([
        file('app/node_modules/lodash/package.json', manifest('lodash', '4.17.20')),
        file('app/node_modules/minimist/package.json', manifest('minimist', '1.2.5')),
        file('app/node_modules/@babel/core/package.json', manifest('@babel/core', '7.24.0')),
        file(
          'app/node_modules/lodash/node_modules/nested/package.json',
          manifest('nested', '1.0.0'),
        ),
        file('app/node_modules/lodash/test/fixture/package.json', manifest('fixture', '0.0.1')),
        file('app/package.json', manifest('the-app', '1.0.0')),
      ]),
      await gzipTarOf([
        { opaque: 'app/node_modules' },
        file('app/node_modules/minimist/package.json', manifest('minimist', '1.2.6')),
      ]),
    ]);

    expect(summary(inventory, digests)).toEqual([
      { type: 'npm', name: 'minimist', version: '1.2.6', layer: 1 },
    ]);
    expect(inventory.packages[0]).toMatchObject({
      licenses: ['MIT'],
      purl: 'pkg:npm/minimist@1.2.6',
      location: '/app/node_modules/minimist/package.json',
    });
  });

  it('reads scoped and nested npm packages', async () => {
    const manifest = (name: string, version: string) =>
      JSON.stringify({ name, version, licenses: [{ type: 'BSD' }] });
    const { inventory } = await analyse(new BlobSet(), [
      await gzipTarOf([
        file('app/node_modules/@babel/core/package.json', manifest('@babel/core', '7.24.0')),
        file('app/node_modules/a/node_modules/b/package.json', manifest('b', '1.0.0')),
      ]),
    ]);

    expect(inventory.packages.map((item) => [item.purl, item.licenses])).toEqual([
      ['pkg:npm/%40babel/core@7.24.0', ['BSD']],
      ['pkg:npm/b@1.0.0', ['BSD']],
    ]);
  });

  it('leaves out Python metadata that a Debian package installed', async () => {
    const pkgInfo = (name: string, version: string) =>
      `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nClassifier: License :: OSI Approved :: Apache Software License\n\nLong description\nName: not-a-header\n`;
    const { inventory } = await analyse(new BlobSet(), [
      await gzipTarOf([
        ...debianRelease,
        { symlink: 'lib', target: 'usr/lib' },
        status({
          name: 'python3-requests',
          version: '2.28.1+dfsg-1',
          arch: 'all',
          source: 'requests',
        }),
        file(
          'var/lib/dpkg/info/python3-requests.list',
          '/lib/python3/dist-packages/requests-2.28.1.egg-info\n/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO\n',
        ),
        file(
          'usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
          pkgInfo('requests', '2.28.1'),
        ),
        file(
          'usr/local/lib/python3.11/site-packages/urllib3-2.2.1.dist-info/METADATA',
          pkgInfo('urllib3', '2.2.1'),
        ),
        file(
          'opt/venv/lib/python3.11/site-packages/Flask_Login-0.6.3.egg-info',
          pkgInfo('Flask_Login', '0.6.3'),
        ),
      ]),
    ]);

    expect(inventory.packages.map((item) => [item.type, item.name, item.purl])).toEqual([
      [
        'deb',
        'python3-requests',
        'pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?arch=all&distro=debian-12',
      ],
      ['pypi', 'Flask_Login', 'pkg:pypi/flask-login@0.6.3'],
      ['pypi', 'urllib3', 'pkg:pypi/urllib3@2.2.1'],
    ]);
    expect(inventory.packages[2]?.licenses).toEqual(['Apache Software License']);
  });
});

describe('analyseImage: cache and failures', () => {
  it('reads a shared base layer once across images', async () => {
    const blobs = new BlobSet();
    const cache = new MemoryLayerCache();
    const base = await gzipTarOf([
      ...debianRelease,
      status({ name: 'base-files', version: '12.4' }),
    ]);

    const first = await analyse(blobs, [base, await gzipTarOf([file('srv/one', '1')])], cache);
    const second = await analyse(
      blobs,
      [base, await gzipTarOf([{ whiteout: 'var/lib/dpkg/status' }])],
      cache,
    );

    expect(blobs.opened.filter((digest) => digest === first.digests[0])).toHaveLength(1);
    expect(second.inventory.layers.map((layer) => layer.fromCache)).toEqual([true, false]);
    // The whiteout applies to the second image only; the cached base record is untouched.
    expect(second.inventory.packages).toEqual([]);
    expect((await analyse(blobs, [base], cache)).inventory.packages).toHaveLength(1);
    expect(cache.size).toBe(3);
  });

  it('reports a corrupt layer and a missing one, keeps the others, and caches neither', async () => {
    const blobs = new BlobSet();
    const cache = new MemoryLayerCache();
    const corrupt = Buffer.from(await gzipTarOf([file('x', randomBytes(100_000))]));
    corrupt.fill(0, 40, 400);
    const layers = [
      await gzipTarOf([...debianRelease, status({ name: 'base-files', version: '12.4' })]),
      corrupt,
    ];
    const digests = layers.map((layer) => blobs.add(layer));
    digests.push('sha256:absent');

    const inventory = await analyseImage({ layers: digests, openBlob: blobs.open, cache });
    await analyseImage({ layers: digests, openBlob: blobs.open, cache });

    expect(inventory.packages.map((item) => item.name)).toEqual(['base-files']);
    expect(inventory.problems).toMatchObject([
      { kind: 'layer-unreadable', layerDigest: digests[1] },
      {
        kind: 'layer-missing',
        layerDigest: 'sha256:absent',
        detail: 'blob sha256:absent not found',
      },
    ]);
    expect(inventory.layers.map((layer) => layer.complete)).toEqual([true, false, false]);
    expect(blobs.opened.filter((digest) => digest === digests[1])).toHaveLength(2);
    expect(cache.size).toBe(1);
  });

  it('reports an unreadable package database without failing the image', async () => {
    const { inventory } = await analyse(new BlobSet(), [
      await gzipTarOf([...debianRelease, file('app/node_modules/broken/package.json', '[1, 2')]),
    ]);

    expect(inventory.os?.id).toBe('debian');
    expect(inventory.problems).toMatchObject([
      { kind: 'file-unreadable', path: '/app/node_modules/broken/package.json' },
    ]);
  });
});

describe('the image entry budget', () => {
  it('shares maxImageEntries among the layers: a layer past it is cut, and says so', async () => {
    const blobs = new BlobSet();
    const files = (prefix: string) =>
      Array.from({ length: 3 }, (_, i) => file(`${prefix}/f${i}`, 'x'));
    const lower = blobs.add(await gzipTarOf(files('a')));
    const upper = blobs.add(await gzipTarOf(files('b')));

    const inventory = await analyseImage({
      layers: [lower, upper],
      openBlob: blobs.open,
      limits: { maxImageEntries: 5, concurrency: 1 },
    });

    expect(inventory.layers.map((layer) => layer.complete)).toEqual([true, false]);
    expect(inventory.problems).toMatchObject([{ kind: 'layer-limit', layerDigest: upper }]);
  });
});
