import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parseManifest,
  splitFileName,
} from '../../../../src/scan/inventory/analysers/java/metadata.js';
import { analyseImage, type ImageInventory } from '../../../../src/scan/inventory/index.js';
import { tempDir } from '../../../support/server.js';
import { BlobSet, file, gzipTarOf, type EntrySpec } from './layers.js';
import { manifest, pomProperties, zipOf, type ZipEntrySpec } from './zips.js';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/scan/java');

async function inventoryOf(entries: EntrySpec[]): Promise<ImageInventory> {
  const blobs = new BlobSet();

  return analyseImage({ layers: [blobs.add(await gzipTarOf(entries))], openBlob: blobs.open });
}

function found(inventory: ImageInventory): string[][] {
  return inventory.packages.map((item) => [item.location, item.name, item.version, item.purl]);
}

/** A jar holding `inner`, stored, the way fat jars keep their libraries. */
function jarWith(own: ZipEntrySpec[], inner: Record<string, Buffer>): Buffer {
  const nested = Object.entries(inner).map(([name, content]) => ({ name, content, stored: true }));

  return zipOf([...own, ...nested]);
}

describe('Java archive metadata', () => {
  it('reads a manifest main section with continued lines, case-insensitive names', () => {
    const text =
      'Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.a.very.long.symbolic.name.th\r\n at.goes.on\r\nimplementation-version: 2.0\r\n\r\nName: com/example/\r\nImplementation-Version: 9.9\r\n';

    expect(parseManifest(text)).toEqual(
      new Map([
        ['manifest-version', '1.0'],
        ['bundle-symbolicname', 'org.example.a.very.long.symbolic.name.that.goes.on'],
        ['implementation-version', '2.0'],
      ]),
    );
  });

  it('splits file names at the last part that starts with a digit', () => {
    expect(splitFileName('log4j-core-2.14.1.jar')).toEqual({
      artifact: 'log4j-core',
      version: '2.14.1',
    });
    expect(splitFileName('guava-31.1-jre.jar')).toEqual({ artifact: 'guava', version: '31.1-jre' });
    expect(splitFileName('spring-boot-3.2.0-SNAPSHOT.war')).toEqual({
      artifact: 'spring-boot',
      version: '3.2.0-SNAPSHOT',
    });
    expect(splitFileName('log4j-1.2-api-2.17.1.jar')).toEqual({
      artifact: 'log4j-1.2-api',
      version: '2.17.1',
    });
    expect(splitFileName('app.jar')).toBeUndefined();
  });
});

describe('Java archives in images', () => {
  it('reads a fat jar written by the jar tool: its own artifact, and each nested or shaded one', async () => {
    const inventory = await inventoryOf([
      file('app/app.jar', readFileSync(path.join(fixtures, 'spring-boot-app.jar'))),
    ]);

    expect(found(inventory)).toEqual([
      ['/app/app.jar', 'com.example:demo-app', '1.4.0', 'pkg:maven/com.example/demo-app@1.4.0'],
      [
        '/app/app.jar',
        'com.google.guava:guava',
        '31.1-jre',
        'pkg:maven/com.google.guava/guava@31.1-jre',
      ],
      [
        '/app/app.jar',
        'org.apache.commons:commons-text',
        '1.10.0',
        'pkg:maven/org.apache.commons/commons-text@1.10.0',
      ],
      [
        '/app/app.jar',
        'org.example.tools:plain-tool',
        '2.3.1',
        'pkg:maven/org.example.tools/plain-tool@2.3.1',
      ],
      ['/app/app.jar', 'org.slf4j:slf4j-api', '1.7.36', 'pkg:maven/org.slf4j/slf4j-api@1.7.36'],
    ]);
    expect(inventory.problems).toEqual([]);
  });

  it('falls back to the manifest, then the file name, and gives jars without a group a generic purl', async () => {
    const inventory = await inventoryOf([
      file(
        'opt/lib/bundle.jar',
        zipOf([
          manifest({
            'Bundle-SymbolicName': 'org.example.bundle;singleton:=true',
            'Bundle-Version': '3.1.0.v20240101',
          }),
        ]),
      ),
      file(
        'opt/lib/titled.jar',
        zipOf([
          manifest({
            'Implementation-Title': 'A Fancy Library',
            'Implementation-Version': '1.0',
            'Specification-Title': 'fancy',
          }),
        ]),
      ),
      file('opt/lib/log4j-core-2.14.1.jar', zipOf([{ name: 'Main.class', content: 'x' }])),
      file('opt/lib/no-version.jar', zipOf([{ name: 'Main.class', content: 'x' }])),
      // Executable, and large enough for the executable analyser: still read as a jar.
      file('opt/bin/tool-0.9.jar', zipOf([{ name: 'pad', content: randomBytes(20_000) }]), 0o755),
    ]);

    expect(found(inventory)).toEqual([
      ['/opt/lib/titled.jar', 'fancy', '1.0', 'pkg:generic/fancy@1.0'],
      ['/opt/lib/log4j-core-2.14.1.jar', 'log4j-core', '2.14.1', 'pkg:generic/log4j-core@2.14.1'],
      [
        '/opt/lib/bundle.jar',
        'org.example.bundle',
        '3.1.0.v20240101',
        'pkg:generic/org.example.bundle@3.1.0.v20240101',
      ],
      ['/opt/bin/tool-0.9.jar', 'tool', '0.9', 'pkg:generic/tool@0.9'],
    ]);
    expect(inventory.problems).toEqual([]);
  });

  it('reads jars inside a war inside an ear', async () => {
    const library = zipOf([
      pomProperties('com.fasterxml.jackson.core', 'jackson-databind', '2.13.4'),
    ]);
    const war = jarWith([pomProperties('com.example', 'web', '2.0.0')], {
      'WEB-INF/lib/jackson-databind-2.13.4.jar': library,
    });
    const ear = jarWith([], { 'web.war': war, 'lib/commons-io-2.11.0.jar': zipOf([]) });

    const inventory = await inventoryOf([file('srv/suite.ear', ear)]);

    expect(found(inventory)).toEqual([
      ['/srv/suite.ear', 'com.example:web', '2.0.0', 'pkg:maven/com.example/web@2.0.0'],
      [
        '/srv/suite.ear',
        'com.fasterxml.jackson.core:jackson-databind',
        '2.13.4',
        'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4',
      ],
      ['/srv/suite.ear', 'commons-io', '2.11.0', 'pkg:generic/commons-io@2.11.0'],
    ]);
  });

  it('names a corrupt nested jar from its file name and says so', async () => {
    const war = jarWith([pomProperties('com.example', 'web', '2.0.0')], {
      'WEB-INF/lib/broken-1.2.jar': Buffer.from('PK\x03\x04 this is not a zip'),
    });

    const inventory = await inventoryOf([file('srv/web.war', war)]);

    expect(found(inventory).map(([, name, version]) => `${name}@${version}`)).toEqual([
      'broken@1.2',
      'com.example:web@2.0.0',
    ]);
    expect(inventory.problems).toMatchObject([
      {
        kind: 'file-unreadable',
        path: '/srv/web.war',
        detail: expect.stringMatching(
          /^java-archive: WEB-INF\/lib\/broken-1\.2\.jar: not a readable zip archive: .*; named from its file name$/,
        ),
      },
    ]);
  });

  it('reports a corrupt jar as unreadable and reads the rest of the layer', async () => {
    const truncated = zipOf([pomProperties('com.example', 'lib', '1.0')]).subarray(0, 60);

    const inventory = await inventoryOf([
      file('opt/corrupt.jar', randomBytes(3000)),
      file('opt/truncated.jar', truncated),
      file('opt/good.jar', zipOf([pomProperties('com.example', 'good', '1.0')])),
    ]);

    expect(found(inventory).map(([, name]) => name)).toEqual(['com.example:good']);
    expect(inventory.problems).toMatchObject([
      { kind: 'file-unreadable', path: '/opt/corrupt.jar', detail: /^java-archive: not a/ },
      { kind: 'file-unreadable', path: '/opt/truncated.jar', detail: /^java-archive: not a/ },
    ]);
  });

  it('stops opening nested archives past the depth bound, naming the deepest by file name', async () => {
    let archive = zipOf([pomProperties('org.example', 'level-5', '5.0')]);
    for (let level = 4; level >= 1; level--) {
      archive = jarWith([pomProperties('org.example', `level-${level}`, `${level}.0`)], {
        [`lib/level-${level + 1}-${level + 1}.0.jar`]: archive,
      });
    }

    const inventory = await inventoryOf([file('opt/nest.jar', archive)]);

    expect(found(inventory).map(([, name]) => name)).toEqual([
      'level-5',
      'org.example:level-1',
      'org.example:level-2',
      'org.example:level-3',
      'org.example:level-4',
    ]);
    expect(inventory.problems).toMatchObject([
      { path: '/opt/nest.jar', detail: /lib\/level-5-5\.0\.jar: nested more than 3 archives deep/ },
    ]);
  });

  describe('spooling', () => {
    let spoolDir: string;
    let tmpBefore: string | undefined;

    beforeEach(() => {
      spoolDir = tempDir();
      tmpBefore = process.env.TMPDIR;
      process.env.TMPDIR = spoolDir;
    });

    afterEach(() => {
      if (tmpBefore === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpBefore;
    });

    it('reads archives too large for memory from a temporary file, and removes it', async () => {
      const filler = { name: 'assets/blob.bin', content: randomBytes(10 * 2 ** 20), stored: true };
      const library = zipOf([pomProperties('org.example', 'inner', '1.0'), filler]);
      const app = jarWith([pomProperties('org.example', 'outer', '2.0')], {
        'BOOT-INF/lib/inner-1.0.jar': library,
      });

      const inventory = await inventoryOf([file('app/app.jar', app)]);

      expect(found(inventory).map(([, name]) => name)).toEqual([
        'org.example:inner',
        'org.example:outer',
      ]);
      expect(readdirSync(spoolDir)).toEqual([]);
    });
  });
});
