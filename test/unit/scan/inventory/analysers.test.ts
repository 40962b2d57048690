import { describe, expect, it } from 'vitest';
import { parseInstalled } from '../../../../src/scan/inventory/analysers/apk.js';
import { copyrightLicenses, parseStatus } from '../../../../src/scan/inventory/analysers/dpkg.js';
import { parsePackageJson } from '../../../../src/scan/inventory/analysers/node.js';
import { parseOsRelease } from '../../../../src/scan/inventory/analysers/os-release.js';
import { parseCoreMetadata } from '../../../../src/scan/inventory/analysers/python.js';
import { MemoryLayerCache } from '../../../../src/scan/inventory/cache.js';
import { analyseImage } from '../../../../src/scan/inventory/index.js';
import { normalisePath, whiteoutOf } from '../../../../src/scan/inventory/paths.js';
import type { LayerRecord } from '../../../../src/scan/inventory/types.js';
import { BlobSet, file, gzipTarOf } from './layers.js';

const limits = { maxPathBytes: 4096, maxPathDepth: 256 };

describe('paths', () => {
  it('normalises tar names into the image root', () => {
    expect(normalisePath('./usr//lib/./os-release', limits)).toBe('usr/lib/os-release');
    expect(normalisePath('/../../../etc/shadow', limits)).toBe('etc/shadow');
    expect(normalisePath('a/b/../../..', limits)).toBe('');
    expect(normalisePath('x/'.repeat(300), limits)).toBeUndefined();
  });

  it('recognises OCI whiteouts and opaque markers', () => {
    expect(whiteoutOf('etc/.wh.motd')).toEqual({ kind: 'whiteout', path: 'etc/motd' });
    expect(whiteoutOf('.wh.srv')).toEqual({ kind: 'whiteout', path: 'srv' });
    expect(whiteoutOf('app/.wh..wh..opq')).toEqual({ kind: 'opaque', dir: 'app' });
    expect(whiteoutOf('.wh..wh.plnk/123.456')).toEqual({ kind: 'none' });
    expect(whiteoutOf('.wh..wh.aufs')).toEqual({ kind: 'aufs-metadata' });
    expect(whiteoutOf('etc/motd.wh.not')).toEqual({ kind: 'none' });
  });
});

describe('os-release', () => {
  it('unquotes values the shell way', () => {
    const text = [
      '# comment',
      'NAME="Ubuntu"',
      "ID='ubuntu'",
      'VERSION_ID="22.04"',
      'PRETTY_NAME="A \\"quoted\\" \\$name"',
      'ID_LIKE=debian',
      'broken line',
    ].join('\n');

    expect(parseOsRelease(text)).toEqual({
      NAME: 'Ubuntu',
      ID: 'ubuntu',
      VERSION_ID: '22.04',
      PRETTY_NAME: 'A "quoted" $name',
      ID_LIKE: 'debian',
    });
  });

  it('falls back to release files', async () => {
    const os = async (path: string, text: string) => {
      const blobs = new BlobSet();
      const layer = blobs.add(await gzipTarOf([file(path, text)]));

      return (await analyseImage({ layers: [layer], openBlob: blobs.open })).os;
    };

    expect(await os('etc/redhat-release', 'Rocky Linux release 9.3 (Blue Onyx)\n')).toEqual({
      id: 'rocky',
      versionId: '9.3',
      prettyName: 'Rocky Linux release 9.3 (Blue Onyx)',
    });
    expect(await os('etc/alpine-release', '3.20.3\n')).toEqual({
      id: 'alpine',
      versionId: '3.20.3',
    });
    expect(await os('etc/debian_version', 'trixie/sid\n')).toEqual({
      id: 'debian',
      codename: 'trixie',
    });
    expect(await os('etc/hostname', 'box\n')).toBeUndefined();
  });
});

describe('dpkg', () => {
  it('keeps the packages whose files are on disk', () => {
    const status = [
      'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64',
      'Package: b\nStatus: deinstall ok config-files\nVersion: 2',
      'Package: c\nStatus: purge ok not-installed',
      'Package: d\nStatus: install reinstreq half-installed\nVersion: 4\nSource: dd',
      'Package: e\r\nVersion: 5\r\nSource: ee (5-1)\r',
      'Version: 6',
    ].join('\n\n');

    expect(
      parseStatus(status).map((item) => [
        item.name,
        item.version,
        item.sourceName,
        item.sourceVersion,
      ]),
    ).toEqual([
      ['a', '1', 'a', '1'],
      ['d', '4', 'dd', '4'],
      ['e', '5', 'ee', '5-1'],
    ]);
  });

  it('reads licences from copyright files, DEP-5 or not', () => {
    expect(
      copyrightLicenses(
        'Format: https://x/\n\nFiles: *\nLicense: MIT\n\nFiles: a\nLicense: GPL-2+ or Artistic\n text\n\nLicense: MIT\n text\n',
      ),
    ).toEqual(['MIT', 'GPL-2+ or Artistic']);
    expect(
      copyrightLicenses(
        'This is free software.\nOn Debian systems see /usr/share/common-licenses/GPL-2.\nAnd /usr/share/common-licenses/LGPL-2.1\n',
      ),
    ).toEqual(['GPL-2', 'LGPL-2.1']);
    expect(copyrightLicenses('All rights reserved.')).toEqual([]);
  });
});

describe('apk', () => {
  it('reads packages, origins and files', () => {
    const installed =
      'P:a\nV:1.0-r0\nA:x86_64\no:orig\nL:MIT\nF:usr/bin\nR:a\nR:b\nF:etc\nR:a.conf\n\nP:noversion\n\nP:b\nV:2\n';

    expect(parseInstalled(installed)).toEqual([
      {
        type: 'apk',
        name: 'a',
        version: '1.0-r0',
        arch: 'x86_64',
        sourceName: 'orig',
        sourceVersion: '1.0-r0',
        licenses: ['MIT'],
        files: ['usr/bin/a', 'usr/bin/b', 'etc/a.conf'],
      },
      {
        type: 'apk',
        name: 'b',
        version: '2',
        sourceName: 'b',
        sourceVersion: '2',
        licenses: [],
        files: [],
      },
    ]);
  });
});

describe('language metadata', () => {
  it('reads package.json licences in their old and new forms', () => {
    expect(
      parsePackageJson('{"name":"a","version":"1.0.0","license":{"type":"ISC"}}')?.licenses,
    ).toEqual(['ISC']);
    expect(
      parsePackageJson('{"name":"a","version":"1.0.0","licenses":["MIT","Apache-2.0"]}')?.licenses,
    ).toEqual(['MIT', 'Apache-2.0']);
    expect(parsePackageJson('{"name":"workspace-root","private":true}')).toBeUndefined();
    expect(() => parsePackageJson('"a string"')).toThrow('not an object');
  });

  it('prefers License-Expression, then a short License, then classifiers', () => {
    const metadata = (headers: string) =>
      parseCoreMetadata(`Name: p\nVersion: 1.0\n${headers}\n\nbody`)?.licenses;

    expect(metadata('License-Expression: MIT OR Apache-2.0\nLicense: MIT')).toEqual([
      'MIT OR Apache-2.0',
    ]);
    expect(metadata('License: BSD-3-Clause')).toEqual(['BSD-3-Clause']);
    expect(
      metadata(
        'License: Copyright (c) someone\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License',
      ),
    ).toEqual(['MIT License']);
    expect(metadata('License: UNKNOWN')).toEqual([]);
  });
});

describe('MemoryLayerCache', () => {
  const record = (digest: string, entries: number): LayerRecord => ({
    digest,
    entries: Array.from({ length: entries }, (_, index) => ({ path: `f${index}`, type: 'file' })),
    whiteouts: [],
    opaqueDirs: [],
    facts: [],
    contentFindings: [],
    problems: [],
    complete: true,
    bytes: 0,
  });

  it('evicts the least recently used records past its budget', async () => {
    const cache = new MemoryLayerCache(25);
    await cache.set('a', record('a', 9));
    await cache.set('b', record('b', 9));
    await cache.get('a');
    await cache.set('c', record('c', 9));

    expect(await cache.get('a')).toBeDefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBeDefined();
  });

  it('keeps a record bigger than the whole budget until the next one arrives', async () => {
    const cache = new MemoryLayerCache(5);
    await cache.set('big', record('big', 50));

    expect(cache.size).toBe(1);
    await cache.set('next', record('next', 1));
    expect(await cache.get('big')).toBeUndefined();
  });
});
