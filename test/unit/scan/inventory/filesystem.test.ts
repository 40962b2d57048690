import { describe, expect, it } from 'vitest';
import { MergedFilesystem } from '../../../../src/scan/inventory/filesystem.js';
import type { LayerEntry, LayerRecord } from '../../../../src/scan/inventory/types.js';

function layer(
  entries: (string | LayerEntry)[],
  markers: { whiteouts?: string[]; opaqueDirs?: string[] } = {},
): LayerRecord {
  return {
    digest: 'sha256:x',
    entries: entries.map((entry) =>
      typeof entry === 'string'
        ? { path: entry.replace(/\/$/, ''), type: entry.endsWith('/') ? 'dir' : 'file' }
        : entry,
    ),
    whiteouts: markers.whiteouts ?? [],
    opaqueDirs: markers.opaqueDirs ?? [],
    facts: [],
    contentFindings: [],
    problems: [],
    complete: true,
    bytes: 0,
  };
}

function link(path: string, target: string): LayerEntry {
  return { path, type: 'symlink', target };
}

function merged(...records: LayerRecord[]): MergedFilesystem {
  const view = new MergedFilesystem();
  for (const record of records) view.apply(record);

  return view;
}

describe('MergedFilesystem', () => {
  it('records which layer last wrote each path', () => {
    const view = merged(layer(['etc/', 'etc/a', 'etc/b']), layer(['etc/b']));

    expect(view.resolve('etc/a')).toEqual({ path: 'etc/a', type: 'file', layer: 0 });
    expect(view.resolve('etc/b')).toEqual({ path: 'etc/b', type: 'file', layer: 1 });
    expect(view.isFileFrom('etc/b', 0)).toBe(false);
    expect(view.depth).toBe(2);
  });

  it('removes whited-out files and whole directories of lower layers', () => {
    const view = merged(
      layer(['a/keep', 'a/gone', 'b/deep/tree/file']),
      layer(['c'], { whiteouts: ['a/gone', 'b/deep', 'never/existed'] }),
    );

    expect(view.resolve('a/keep')).toBeDefined();
    expect(view.resolve('a/gone')).toBeUndefined();
    expect(view.resolve('b/deep/tree/file')).toBeUndefined();
    expect(view.resolve('b')).toMatchObject({ type: 'dir' });
  });

  it('never lets a whiteout hide an entry of its own layer', () => {
    const view = merged(layer(['etc/x']), layer(['etc/x'], { whiteouts: ['etc/x'] }));

    expect(view.resolve('etc/x')).toMatchObject({ layer: 1 });
  });

  it('empties an opaque directory of lower content, keeping its own layer’s entries', () => {
    const view = merged(
      layer(['app/node_modules/a/package.json', 'app/node_modules/b/package.json', 'app/other']),
      layer(['app/node_modules/', 'app/node_modules/b/package.json'], {
        opaqueDirs: ['app/node_modules'],
      }),
    );

    expect(view.resolve('app/node_modules/a/package.json')).toBeUndefined();
    expect(view.resolve('app/node_modules/b/package.json')).toMatchObject({ layer: 1 });
    expect(view.resolve('app/other')).toMatchObject({ layer: 0 });
  });

  it('replaces a directory by a file and a file by a directory', () => {
    const view = merged(layer(['x/inside', 'y']), layer(['x', 'y/inside']));

    expect(view.resolve('x')).toMatchObject({ type: 'file', layer: 1 });
    expect(view.resolve('x/inside')).toBeUndefined();
    expect(view.resolve('y/inside')).toMatchObject({ type: 'file', layer: 1 });
  });

  it('follows relative, absolute and chained symlinks', () => {
    const view = merged(
      layer([
        'usr/lib/os-release',
        'usr/bin/',
        link('etc/os-release', '../usr/lib/os-release'),
        link('bin', 'usr/bin'),
        link('etc/alt', '/etc/os-release'),
        link('usr/share/doc/libfoo-dev', 'libfoo1'),
        'usr/share/doc/libfoo1/copyright',
      ]),
    );

    expect(view.resolve('etc/os-release')).toEqual({
      path: 'usr/lib/os-release',
      type: 'file',
      layer: 0,
    });
    expect(view.resolve('etc/alt')?.path).toBe('usr/lib/os-release');
    expect(view.resolve('usr/share/doc/libfoo-dev/copyright')?.path).toBe(
      'usr/share/doc/libfoo1/copyright',
    );
    expect(view.lookup('bin/ls')).toBeUndefined();
    expect(view.lookup('etc/os-release')).toMatchObject({
      path: 'etc/os-release',
      type: 'symlink',
    });
  });

  it('resolves `..` after a symlinked directory from where the link led', () => {
    const view = merged(layer(['real/dir/', 'real/target', link('shortcut', 'real/dir')]));

    expect(view.resolve('shortcut/../target')?.path).toBe('real/target');
  });

  it('keeps `..` and absolute links inside the image root', () => {
    const view = merged(layer(['etc/passwd', link('up', '../../../../etc/passwd')]));

    expect(view.resolve('up')?.path).toBe('etc/passwd');
    expect(view.resolve('../../etc/passwd')?.path).toBe('etc/passwd');
  });

  it('gives up on symlink loops', () => {
    const view = merged(layer([link('a', 'b'), link('b', 'a'), link('self', 'self/x')]));

    expect(view.resolve('a')).toBeUndefined();
    expect(view.resolve('self')).toBeUndefined();
  });

  it('lets a real directory in an upper layer replace a lower symlink', () => {
    const view = merged(layer(['usr/lib/x', link('lib', 'usr/lib')]), layer(['lib/', 'lib/y']));

    expect(view.resolve('lib/x')).toBeUndefined();
    expect(view.resolve('lib/y')).toMatchObject({ path: 'lib/y', layer: 1 });
  });

  it('finds facts through symlinks, from the layer that wrote the target', () => {
    const base = layer(['usr/lib/os-release', link('etc/os-release', '../usr/lib/os-release')]);
    base.facts = [
      {
        path: 'usr/lib/os-release',
        analyser: 'os-release',
        fact: { kind: 'os-release', fields: { ID: 'debian' } },
      },
    ];
    const view = merged(base, layer(['etc/hostname']));

    expect(view.fact('etc/os-release')).toEqual({ kind: 'os-release', fields: { ID: 'debian' } });
    expect(view.fact('etc/hostname')).toBeUndefined();
  });
});
