import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analysers } from '../../../../src/scan/inventory/analysers/index.js';
import { readLayer } from '../../../../src/scan/inventory/layer-reader.js';
import type { ContentScanner } from '../../../../src/scan/inventory/content-scanner.js';
import { defaultLimits, type InventoryLimits } from '../../../../src/scan/inventory/types.js';
import { file, gzipTarOf, hugeFileLayer, tarOf } from './layers.js';

const digest = 'sha256:layer';

function read(blob: Buffer, limits: Partial<InventoryLimits> = {}) {
  return readLayer(Readable.from([blob]), {
    digest,
    analysers,
    limits: { ...defaultLimits, ...limits },
  });
}

describe('readLayer', () => {
  it('indexes entries, whiteouts and opaque markers, and reads wanted files', async () => {
    const record = await read(
      await gzipTarOf([
        { dir: 'etc/' },
        file('etc/debian_version', '12.5\n'),
        { symlink: 'etc/os-release', target: '../usr/lib/os-release' },
        file('usr/share/readme', 'not wanted'),
        { whiteout: 'var/cache/junk' },
        { opaque: 'opt/app' },
        { raw: 'srv/.wh..wh.plnk', content: '' },
      ]),
    );

    expect(record.complete).toBe(true);
    expect(record.entries).toEqual([
      { path: 'etc', type: 'dir' },
      { path: 'etc/debian_version', type: 'file' },
      { path: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release' },
      { path: 'usr/share/readme', type: 'file' },
    ]);
    expect(record.whiteouts).toEqual(['var/cache/junk']);
    expect(record.opaqueDirs).toEqual(['opt/app']);
    expect(record.facts).toEqual([
      {
        path: 'etc/debian_version',
        analyser: 'release-file',
        fact: { kind: 'release-line', text: '12.5' },
      },
    ]);
  });

  it('reads uncompressed tars and empty layers', async () => {
    const plain = await read(await tarOf([file('etc/alpine-release', '3.19.1\n')]));
    expect(plain.facts).toHaveLength(1);

    const empty = await read(Buffer.alloc(1024));
    expect(empty).toMatchObject({ complete: true, entries: [], problems: [] });
  });

  it('keeps hostile names inside the image root', async () => {
    const record = await read(
      await tarOf([
        { raw: '../../etc/alpine-release', content: '3.0\n' },
        { raw: '/abs/file', content: 'x' },
        { raw: './a/./b/../c', content: 'x' },
        { raw: './', content: '' },
      ]),
    );

    expect(record.entries.map((entry) => entry.path)).toEqual([
      'etc/alpine-release',
      'abs/file',
      'a/c',
    ]);
    expect(record.facts[0]?.path).toBe('etc/alpine-release');
  });

  it('rejects paths that are too deep or too long, and goes on', async () => {
    const deep = Array.from({ length: 300 }, (_, index) => `d${index}`).join('/');
    const record = await read(
      await tarOf([
        { raw: `${deep}/file`, content: 'x' },
        { raw: `${'n'.repeat(5000)}`, content: 'x' },
        file('etc/alpine-release', '3.19\n'),
      ]),
    );

    expect(record.complete).toBe(true);
    expect(record.problems.map((problem) => problem.kind)).toEqual([
      'path-rejected',
      'path-rejected',
    ]);
    expect(record.entries.map((entry) => entry.path)).toEqual(['etc/alpine-release']);
  });

  it('gives a hard link the fact of the file it links to', async () => {
    const record = await read(
      await tarOf([
        file('usr/lib/os-release', 'ID=debian\n'),
        { hardlink: 'etc/os-release', target: 'usr/lib/os-release' },
        { hardlink: 'etc/debian_version', target: 'usr/share/unread' },
      ]),
    );

    expect(record.facts.map((fact) => fact.path)).toEqual(['usr/lib/os-release', 'etc/os-release']);
    expect(record.problems).toMatchObject([
      { kind: 'link-unresolved', path: '/etc/debian_version' },
    ]);
  });

  it('lets a later entry for the same path replace an earlier one', async () => {
    const record = await read(
      await tarOf([
        file('etc/alpine-release', '3.18\n'),
        file('etc/alpine-release', '3.19\n'),
        file('etc/debian_version', '12\n'),
        { symlink: 'etc/debian_version', target: 'elsewhere' },
      ]),
    );

    expect(record.facts).toEqual([
      {
        path: 'etc/alpine-release',
        analyser: 'release-file',
        fact: { kind: 'release-line', text: '3.19' },
      },
    ]);
  });

  it('reports a corrupt gzip stream and keeps what came before', async () => {
    const blob = Buffer.from(
      await gzipTarOf([file('etc/alpine-release', '3.19\n'), file('big', 'x'.repeat(200_000))]),
    );
    blob.fill(0x55, blob.length - 200, blob.length - 20);

    const record = await read(blob);

    expect(record.complete).toBe(false);
    expect(record.problems).toMatchObject([{ kind: 'layer-unreadable', layerDigest: digest }]);
    expect(record.facts.map((fact) => fact.path)).toEqual(['etc/alpine-release']);
  });

  it('reports a truncated tar', async () => {
    const blob = await tarOf([
      file('etc/alpine-release', '3.19\n'),
      file('data', 'y'.repeat(10_000)),
    ]);

    const record = await read(blob.subarray(0, 3000));

    expect(record.complete).toBe(false);
    expect(record.problems).toMatchObject([
      { kind: 'layer-unreadable', detail: 'Unexpected end of data' },
    ]);
    expect(record.facts).toHaveLength(1);
  });

  it('reports what is not a layer at all', async () => {
    const text = await read(Buffer.from('hello, this is not a tar file at all'.repeat(30)));
    const bzip2 = await read(Buffer.from('BZh91AY&SY....'));

    expect(text.problems).toMatchObject([{ kind: 'layer-format' }]);
    expect(bzip2.problems).toMatchObject([
      { kind: 'layer-format', detail: 'bzip2 layers are not supported' },
    ]);
  });

  it('skips a wanted file over its analyser cap without holding it', async () => {
    const size = 300 * 2 ** 20;
    const blob = await hugeFileLayer('var/lib/dpkg/status', size, [
      file('etc/alpine-release', '3.19\n'),
    ]);
    const heapBefore = process.memoryUsage().heapUsed;

    const record = await read(blob);

    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 2 ** 20);
    expect(record.complete).toBe(true);
    expect(record.bytes).toBeGreaterThan(size);
    expect(record.problems).toMatchObject([
      {
        kind: 'file-too-large',
        path: '/var/lib/dpkg/status',
        detail: expect.stringContaining('dpkg-status'),
      },
    ]);
    expect(record.facts.map((fact) => fact.path)).toEqual(['etc/alpine-release']);
  });

  it('stops at the uncompressed size limit (decompression bombs)', async () => {
    const blob = await hugeFileLayer('zeros', 64 * 2 ** 20, [file('etc/alpine-release', '3.19\n')]);

    const record = await read(blob, { maxLayerBytes: 16 * 2 ** 20 });

    expect(blob.length).toBeLessThan(2 ** 20);
    expect(record.complete).toBe(false);
    expect(record.problems).toMatchObject([{ kind: 'layer-limit' }]);
    expect(record.facts).toHaveLength(1);
  });

  it('stops at the entry limit', async () => {
    const entries = Array.from({ length: 50 }, (_, index) => file(`f${index}`, ''));

    const record = await read(await tarOf(entries), { maxLayerEntries: 10 });

    expect(record.entries).toHaveLength(10);
    expect(record.problems).toMatchObject([
      { kind: 'layer-limit', detail: 'more than 10 entries' },
    ]);
  });

  it('honours per-analyser size caps from the limits', async () => {
    const record = await read(
      gzipSync(await tarOf([file('etc/os-release', 'ID=debian\n'.repeat(10))])),
      {
        maxFileBytes: { 'os-release': 16 },
      },
    );

    expect(record.facts).toEqual([]);
    expect(record.problems).toMatchObject([{ kind: 'file-too-large', path: '/etc/os-release' }]);
  });

  it('reports a file its analyser cannot parse', async () => {
    const record = await read(await tarOf([file('app/node_modules/x/package.json', '{ not json')]));

    expect(record.complete).toBe(true);
    expect(record.problems).toMatchObject([
      { kind: 'file-unreadable', path: '/app/node_modules/x/package.json' },
    ]);
  });
});

describe('readLayer with content scanners', () => {
  /** Records what it is given; says it has enough after `wanted` bytes of a file. */
  function recorder(wanted = Infinity) {
    const seen: Record<string, number> = {};
    const scanner: ContentScanner = {
      id: 'recorder',
      version: '1',
      wants: (info) => !info.path.startsWith('skip/'),
      open: (info) => {
        seen[info.path] = 0;
        return {
          write: (chunk) => {
            seen[info.path]! += chunk.length;
            return seen[info.path]! < wanted;
          },
          end: () => [{ ruleId: 'bytes', line: 1, match: `${seen[info.path]}` }],
        };
      },
    };

    return { scanner, seen };
  }

  it('gives every regular file it wants to a scanner, next to the analyser that reads it', async () => {
    const { scanner, seen } = recorder();
    const record = await readLayer(
      Readable.from([
        await tarOf([
          file('etc/debian_version', '12.5\n'),
          file('app/data.txt', 'x'.repeat(10_000)),
          file('skip/me', 'y'),
          { symlink: 'app/link', target: 'data.txt' },
        ]),
      ]),
      { digest, analysers, contentScanners: [scanner], limits: defaultLimits },
    );

    expect(seen).toEqual({ 'etc/debian_version': 5, 'app/data.txt': 10_000 });
    expect(record.facts).toMatchObject([{ path: 'etc/debian_version', analyser: 'release-file' }]);
    expect(record.contentFindings).toEqual([
      { scanner: 'recorder', ruleId: 'bytes', path: 'etc/debian_version', line: 1, match: '5' },
      { scanner: 'recorder', ruleId: 'bytes', path: 'app/data.txt', line: 1, match: '10000' },
    ]);
  });

  it('stops feeding a scanner that has enough, and still reads the layer on', async () => {
    const { scanner, seen } = recorder(1);
    const record = await readLayer(
      Readable.from(chunks(await tarOf([file('app/a', 'a'.repeat(9000)), file('app/b', 'b')]))),
      { digest, analysers, contentScanners: [scanner], limits: defaultLimits },
    );

    expect(record.complete).toBe(true);
    expect(seen['app/a']).toBeLessThan(9000);
    expect(seen['app/b']).toBe(1);
  });

  function* chunks(data: Buffer): Generator<Buffer> {
    for (let at = 0; at < data.length; at += 1024) yield data.subarray(at, at + 1024);
  }
});
