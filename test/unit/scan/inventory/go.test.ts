import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  goPackages,
  stdlibVersion,
} from '../../../../src/scan/inventory/analysers/go-buildinfo.js';
import { analyseImage } from '../../../../src/scan/inventory/index.js';
import { tempDir } from '../../../support/server.js';
import { buildInfoBlob } from './binaries.js';
import { BlobSet, file, gzipTarOf } from './layers.js';

/**
 * A minimal ELF64 file: a read-only segment holding `readOnly` at 0x1000 and a writable one
 * holding `data` at 0x8000, padded to `size`.
 */
function elf(data: Buffer, readOnly: Buffer = Buffer.alloc(0), size = 64 * 1024): Buffer {
  const file = Buffer.alloc(Math.max(size, 0x8000 + data.length));
  file.write('\x7fELF', 0, 'latin1');
  file[4] = 2;
  file[5] = 1;
  file.writeBigUInt64LE(64n, 0x20);
  file.writeUInt16LE(56, 0x36);
  file.writeUInt16LE(2, 0x38);

  const segment = (index: number, offset: number, length: number, flags: number): void => {
    const at = 64 + index * 56;
    file.writeUInt32LE(1, at);
    file.writeUInt32LE(flags, at + 4);
    file.writeBigUInt64LE(BigInt(offset), at + 8);
    file.writeBigUInt64LE(BigInt(length), at + 32);
  };
  segment(0, 0x1000, 0x1000, 4 | 1);
  segment(1, 0x8000, data.length, 4 | 2);
  readOnly.copy(file, 0x1000);
  data.copy(file, 0x8000);

  return file;
}

const modules = [
  'path\texample.com/app',
  'mod\texample.com/app\t(devel)\t',
  'dep\tgolang.org/x/text\tv0.3.7\th1:abc=',
  'dep\tgithub.com/old/name\tv1.0.0\th1:def=',
  '=>\tgithub.com/new/name\tv1.1.0\th1:ghi=',
  'dep\texample.com/local\tv0.0.0-00010101000000-000000000000\t',
  '=>\t../local\t\t',
  'build\t-ldflags="-s -w -X main.version=2.5.0"',
  '',
].join('\n');

async function inventoryOf(entries: Parameters<typeof gzipTarOf>[0]) {
  const blobs = new BlobSet();

  return analyseImage({ layers: [blobs.add(await gzipTarOf(entries))], openBlob: blobs.open });
}

describe('Go build information', () => {
  it('turns toolchain versions into stdlib versions', () => {
    expect(stdlibVersion('go1.22.2')).toBe('v1.22.2');
    expect(stdlibVersion('go1.20')).toBe('v1.20.0');
    expect(stdlibVersion('go1.21rc2')).toBe('v1.21.0-rc.2');
    expect(stdlibVersion('go1.22.2 X:nocoverageredesign')).toBe('v1.22.2');
    expect(stdlibVersion('devel go1.23-5a1b2c3 Tue Jan 2')).toBeUndefined();
  });

  it('lists the main module, dependencies with replacements, and stdlib', () => {
    expect(goPackages('go1.19.8', modules).map((item) => `${item.name}@${item.version}`)).toEqual([
      'example.com/app@v2.5.0',
      'golang.org/x/text@v0.3.7',
      'github.com/new/name@v1.1.0',
      'stdlib@v1.19.8',
    ]);
  });

  it('finds the blob in a writable segment of an executable, wherever the chunks split', async () => {
    const blob = buildInfoBlob('go1.21.5', modules);
    const decoy = buildInfoBlob('go1.1.1', 'nothing');
    // An unaligned copy of the magic first, then the blob at the next 16-byte boundary.
    const unaligned = Buffer.concat([
      Buffer.from('x'.repeat(37)),
      blob.subarray(0, 14),
      Buffer.alloc(13),
    ]);
    const binary = elf(Buffer.concat([unaligned, blob]), decoy);

    const inventory = await inventoryOf([
      file('usr/local/bin/app', binary, 0o755),
      file('usr/local/bin/not-executable', binary, 0o644),
      file('usr/local/bin/old', elf(buildInfoBlob('go1.16', modules, 0)), 0o755),
      file('usr/local/bin/script', `#!/bin/sh\n${' '.repeat(20_000)}`, 0o755),
    ]);

    expect(inventory.packages.map((item) => [item.location, item.purl])).toEqual([
      ['/usr/local/bin/app', 'pkg:golang/example.com/app@v2.5.0'],
      ['/usr/local/bin/app', 'pkg:golang/github.com/new/name@v1.1.0'],
      ['/usr/local/bin/app', 'pkg:golang/golang.org/x/text@v0.3.7'],
      ['/usr/local/bin/app', 'pkg:golang/stdlib@v1.21.5'],
    ]);
    expect(inventory.problems).toEqual([]);
  });
});

const goTool = ['/usr/local/go/bin/go', '/usr/lib/go/bin/go'].find((candidate) =>
  existsSync(candidate),
);

/** Builds a program with a vendored dependency, offline. */
function build(dir: string, output: string, flags: string[]): Buffer {
  execFileSync(goTool as string, ['build', ...flags, '-o', output, '.'], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: '-mod=vendor', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
    stdio: 'pipe',
  });

  return readFileSync(path.join(dir, output));
}

/** `go version -m`: the packages the toolchain itself says the binary holds. */
function groundTruth(binary: string): string[] {
  const lines = execFileSync(goTool as string, ['version', '-m', binary], {
    encoding: 'utf8',
  }).split('\n');
  const goVersion = (lines[0] ?? '').split(': ')[1] ?? '';
  const deps = lines.map((line) => line.trim().split('\t')).filter((row) => row[0] === 'dep');

  return [...deps.map((row) => `${row[1]}@${row[2]}`), `stdlib@${stdlibVersion(goVersion)}`].sort();
}

describe('Go binaries built by the Go toolchain', () => {
  it('has the Go toolchain scripts/install-test-tools.sh needs', () => {
    expect(goTool, 'no go in /usr/local/go/bin or /usr/lib/go/bin').toBeDefined();
  });

  it(
    'reads what `go version -m` reads, stripped or not, and skips dpkg-owned binaries',
    { timeout: 120_000 },
    async () => {
      const dir = tempDir();
      mkdirSync(path.join(dir, 'vendor/example.com/greet'), { recursive: true });
      writeFileSync(
        path.join(dir, 'go.mod'),
        'module example.com/hello\n\ngo 1.21\n\nrequire example.com/greet v1.4.2\n',
      );
      writeFileSync(
        path.join(dir, 'main.go'),
        'package main\n\nimport "example.com/greet"\n\nfunc main() { println(greet.Hello()) }\n',
      );
      writeFileSync(
        path.join(dir, 'vendor/example.com/greet/greet.go'),
        'package greet\n\nfunc Hello() string { return "hi" }\n',
      );
      writeFileSync(
        path.join(dir, 'vendor/modules.txt'),
        '# example.com/greet v1.4.2\n## explicit\nexample.com/greet\n',
      );

      const plain = build(dir, 'plain', []);
      const stripped = build(dir, 'stripped', ['-trimpath', '-ldflags=-s -w']);
      const truth = groundTruth(path.join(dir, 'plain'));
      expect(groundTruth(path.join(dir, 'stripped'))).toEqual(truth);

      const inventory = await inventoryOf([
        file('usr/local/bin/plain', plain, 0o755),
        file('app/stripped', stripped, 0o755),
        file('usr/bin/packaged', plain, 0o755),
        file(
          'var/lib/dpkg/status',
          'Package: packaged\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n',
        ),
        file('var/lib/dpkg/info/packaged.list', '/usr/bin/packaged\n'),
      ]);

      const found = (location: string): string[] =>
        inventory.packages
          .filter((item) => item.location === location)
          .map((item) => `${item.name}@${item.version}`)
          .sort();
      expect(truth).toContain('example.com/greet@v1.4.2');
      expect(found('/usr/local/bin/plain')).toEqual(truth);
      expect(found('/app/stripped')).toEqual(truth);
      expect(found('/usr/bin/packaged')).toEqual([]);
    },
  );
});
