import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditedCrates } from '../../../../src/scan/inventory/analysers/cargo-auditable.js';
import { analyseImage, type ImageInventory } from '../../../../src/scan/inventory/index.js';
import { tempDir } from '../../../support/server.js';
import { auditData, buildInfoBlob, elfFile } from './binaries.js';
import { BlobSet, file, gzipTarOf, type EntrySpec } from './layers.js';

async function inventoryOf(entries: EntrySpec[]): Promise<ImageInventory> {
  const blobs = new BlobSet();

  return analyseImage({ layers: [blobs.add(await gzipTarOf(entries))], openBlob: blobs.open });
}

function purls(inventory: ImageInventory): string[][] {
  return inventory.packages.map((item) => [item.location, item.purl]);
}

const crates = [
  { name: 'demo', version: '0.1.0', source: 'local', dependencies: [1, 3], root: true },
  { name: 'serde', version: '1.0.193', source: 'crates.io', dependencies: [2] },
  { name: 'serde_derive', version: '1.0.193', source: 'crates.io', kind: 'build' },
  { name: 'smallvec', version: '1.6.0', source: 'crates.io', kind: 'runtime' },
  { name: 'forked', version: '0.2.0+patched', source: 'git' },
];

/** Random bytes with zlib headers sown through them, as machine code has by chance. */
function machineCode(size: number): Buffer {
  const code = randomBytes(size);
  for (let at = 100; at < size - 2; at += 997) code.set([0x78, 0x9c], at);

  return code;
}

describe('cargo auditable data', () => {
  it('keeps the runtime crates that were published, not build tools or the local workspace', () => {
    expect(auditedCrates(JSON.stringify({ packages: crates }))).toEqual([
      { type: 'cargo', name: 'serde', version: '1.0.193', licenses: [] },
      { type: 'cargo', name: 'smallvec', version: '1.6.0', licenses: [] },
      { type: 'cargo', name: 'forked', version: '0.2.0+patched', licenses: [] },
    ]);
  });
});

describe('Rust binaries in images', () => {
  it('reads the .dep-v0 section as the binary streams past, and nothing that only looks like it', async () => {
    const decoy = auditData([{ name: 'decoy', version: '9.9.9', source: 'crates.io' }]);
    const binary = elfFile({
      code: Buffer.concat([machineCode(40_000), decoy, machineCode(3000)]),
      sections: [
        { name: '.rodata', content: Buffer.concat([decoy, machineCode(5000)]) },
        { name: '.dep-v0', content: auditData(crates) },
        { name: '.comment', content: Buffer.from('rustc version 1.75.0\0') },
      ],
    });

    const inventory = await inventoryOf([file('usr/local/bin/demo', binary, 0o755)]);

    expect(purls(inventory)).toEqual([
      ['/usr/local/bin/demo', 'pkg:cargo/forked@0.2.0%2Bpatched'],
      ['/usr/local/bin/demo', 'pkg:cargo/serde@1.0.193'],
      ['/usr/local/bin/demo', 'pkg:cargo/smallvec@1.6.0'],
    ]);
    expect(inventory.problems).toEqual([]);
  });

  it('reads Go build information and a .dep-v0 section in the same pass', async () => {
    const modules = 'path\texample.com/app\nmod\texample.com/app\tv1.2.3\t\n';
    const binary = elfFile({
      code: machineCode(20_000),
      data: buildInfoBlob('go1.22.1', modules),
      sections: [{ name: '.dep-v0', content: auditData(crates.slice(3, 4)) }],
    });

    const inventory = await inventoryOf([file('opt/hybrid', binary, 0o755)]);

    expect(purls(inventory).map(([, purl]) => purl)).toEqual([
      'pkg:cargo/smallvec@1.6.0',
      'pkg:golang/example.com/app@v1.2.3',
      'pkg:golang/stdlib@v1.22.1',
    ]);
  });

  it('reports .dep-v0 sections that hold no audit data, and reads the next binary', async () => {
    const broken = elfFile({
      code: machineCode(20_000),
      sections: [{ name: '.dep-v0', content: Buffer.from('not compressed json') }],
    });
    const badJson = elfFile({
      code: machineCode(20_000),
      sections: [{ name: '.dep-v0', content: deflateSync('{"packages": "none"}') }],
    });
    const good = elfFile({
      code: machineCode(20_000),
      sections: [{ name: '.dep-v0', content: auditData(crates.slice(1, 2)) }],
    });

    const inventory = await inventoryOf([
      file('usr/bin/broken', broken, 0o755),
      file('usr/bin/bad-json', badJson, 0o755),
      file('usr/bin/good', good, 0o755),
    ]);

    expect(purls(inventory)).toEqual([['/usr/bin/good', 'pkg:cargo/serde@1.0.193']]);
    expect(inventory.problems).toMatchObject([
      {
        kind: 'file-unreadable',
        path: '/usr/bin/broken',
        detail: 'elf-binary: .dep-v0 does not hold compressed audit data',
      },
      {
        kind: 'file-unreadable',
        path: '/usr/bin/bad-json',
        detail: 'elf-binary: .dep-v0 has no package list',
      },
    ]);
  });
});

const realBinary = ['/usr/bin/true', '/bin/true'].find((candidate) => existsSync(candidate));
const hasObjcopy = (() => {
  try {
    execFileSync('objcopy', ['--version'], { stdio: 'ignore' });

    return true;
  } catch {
    return false;
  }
})();

describe('a binary objcopy gave a .dep-v0 section', () => {
  it('has objcopy (binutils, installed by scripts/install-test-tools.sh) and a binary', () => {
    expect(hasObjcopy, 'objcopy is missing').toBe(true);
    expect(realBinary, 'no /usr/bin/true').toBeDefined();
  });

  it('reads it as cargo auditable writes it, unless a Debian package owns the binary', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'audit.z'), auditData(crates));
    execFileSync('objcopy', [
      '--add-section',
      `.dep-v0=${path.join(dir, 'audit.z')}`,
      '--set-section-flags',
      '.dep-v0=noload,readonly',
      realBinary as string,
      path.join(dir, 'audited'),
    ]);
    const audited = readFileSync(path.join(dir, 'audited'));

    const inventory = await inventoryOf([
      file('usr/local/bin/audited', audited, 0o755),
      file('usr/bin/packaged', audited, 0o755),
      file(
        'var/lib/dpkg/status',
        'Package: packaged\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n',
      ),
      file('var/lib/dpkg/info/packaged.list', '/usr/bin/packaged\n'),
    ]);

    expect(purls(inventory)).toEqual([
      ['/usr/local/bin/audited', 'pkg:cargo/forked@0.2.0%2Bpatched'],
      ['/usr/local/bin/audited', 'pkg:cargo/serde@1.0.193'],
      ['/usr/local/bin/audited', 'pkg:cargo/smallvec@1.6.0'],
      ['/var/lib/dpkg/status', 'pkg:deb/debian/packaged@1.0?arch=amd64'],
    ]);
    expect(inventory.problems).toEqual([]);
  });
});
