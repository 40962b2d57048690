import SQLite from 'better-sqlite3';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AdvisoryImportError,
  importAdvisories,
  type ImportOptions,
} from '../../../../src/scan/advisories/index.js';
import {
  alpineFixtures,
  filesUnder,
  fixture,
  openTestStore,
  osvFixtures,
  tempDir,
  zipOf,
} from './support.js';

const lodashRecord = () =>
  readFileSync(
    fixture(
      'osv/github-advisory-database/advisories/github-reviewed/2022/01/GHSA-29mw-wpgm-hmr9/GHSA-29mw-wpgm-hmr9.json',
    ),
    'utf8',
  );

/** A folder holding the real OSV records, then `file` with `content` after them. */
function osvFolderEndingWith(file: string, content: string | Buffer): string {
  const dir = tempDir();
  cpSync(osvFixtures(), path.join(dir, 'a-records'), { recursive: true });
  writeFileSync(path.join(dir, file), content);

  return dir;
}

/**
 * Imports and expects an AdvisoryImportError naming `file`, with nothing stored: not a source
 * row, not one of the records read before the bad one.
 */
async function expectRefused(
  input: string,
  file: string,
  message: RegExp,
  options: ImportOptions = {},
): Promise<void> {
  const { store, file: database } = await openTestStore();

  const error = await importAdvisories(store, input, options).catch((err: unknown) => err);

  expect(error).toBeInstanceOf(AdvisoryImportError);
  expect((error as AdvisoryImportError).message.startsWith(file)).toBe(true);
  expect((error as Error).message).toMatch(message);
  expect(await store.sources()).toEqual([]);
  await store.close();
  const db = new SQLite(database, { readonly: true });
  expect(db.prepare('SELECT count(*) AS n FROM affected_packages').get()).toEqual({ n: 0 });
  expect(db.prepare('SELECT count(*) AS n FROM advisories').get()).toEqual({ n: 0 });
  db.close();
}

describe('malformed input is refused, naming the file, and nothing is imported', () => {
  it('a truncated JSON file after valid ones', async () => {
    const text = lodashRecord();
    const dir = osvFolderEndingWith('z-truncated.json', text.slice(0, text.length / 2));

    await expectRefused(dir, path.join(dir, 'z-truncated.json'), /not valid JSON/);
  });

  it('a record with a field of the wrong type', async () => {
    const record = JSON.parse(lodashRecord()) as {
      affected: Array<{ package: { name: unknown } }>;
    };
    record.affected[0]!.package.name = 5;
    const dir = osvFolderEndingWith('z-wrong.json', JSON.stringify(record));

    await expectRefused(
      dir,
      path.join(dir, 'z-wrong.json'),
      /not an OSV record: affected\.0\.package\.name: expected string, received number/,
    );
  });

  it('a record of another format among OSV records', async () => {
    const alpine = readFileSync(path.join(alpineFixtures(), filesUnder(alpineFixtures())[0]!));
    const dir = osvFolderEndingWith('z-alpine.json', alpine);

    await expectRefused(
      dir,
      path.join(dir, 'z-alpine.json'),
      /not an OSV record: id: expected string/,
    );
  });

  it('input named with the wrong --source', async () => {
    const file = path.join(alpineFixtures(), filesUnder(alpineFixtures())[0]!);

    await expectRefused(file, file, /not an OSV record/, { format: 'osv' });
  });

  it('Alpine secfixes that are not lists of ids', async () => {
    const file = path.join(tempDir(), 'main.json');
    writeFileSync(
      file,
      JSON.stringify({
        distroversion: 'v3.20',
        packages: [{ pkg: { name: 'x', secfixes: { '1-r0': 'CVE-1' } } }],
      }),
    );

    await expectRefused(
      file,
      file,
      /not Alpine secdb data: packages\.0\.pkg\.secfixes\.1-r0: expected array/,
    );
  });

  it('a Debian entry whose annotations are not a list', async () => {
    const file = path.join(tempDir(), 'CVE-2024-1.json');
    writeFileSync(
      file,
      JSON.stringify({ Header: { ID: 'CVE-2024-1' }, Annotations: { Type: 'package' } }),
    );

    await expectRefused(
      file,
      file,
      /not a Debian security tracker entry: Annotations: expected array/,
    );
  });

  it('JSON in no known format', async () => {
    const file = path.join(tempDir(), 'package.json');
    writeFileSync(file, JSON.stringify({ name: 'berth', version: '1.0.0' }));

    await expectRefused(
      file,
      file,
      /is neither an OSV record, Debian security tracker data nor Alpine/,
    );
  });

  it('an empty folder, and a folder with no JSON or zip files', async () => {
    const empty = tempDir();
    const docs = tempDir();
    writeFileSync(path.join(docs, 'README.md'), '# advisories');
    mkdirSync(path.join(docs, 'nested'));

    await expectRefused(empty, empty, /holds no advisory files/);
    await expectRefused(docs, docs, /holds no advisory files/, { format: 'osv' });
  });

  it('a path that does not exist', async () => {
    const missing = path.join(tempDir(), 'nowhere.json');

    await expectRefused(missing, missing, /ENOENT/);
  });
});

describe('hostile zips are refused before anything is extracted', () => {
  function zipFile(entries: Parameters<typeof zipOf>[0]): string {
    const file = path.join(tempDir(), 'all.zip');
    writeFileSync(file, zipOf(entries));

    return file;
  }

  it('an entry whose name climbs out of the archive', async () => {
    const zip = zipFile([
      { name: 'GHSA-29mw-wpgm-hmr9.json', data: lodashRecord() },
      { name: '../../etc/evil.json', data: lodashRecord() },
    ]);

    await expectRefused(zip, zip, /invalid relative path: \.\.\/\.\.\/etc\/evil\.json/);
  });

  it('an entry with an absolute name', async () => {
    const zip = zipFile([{ name: '/etc/evil.json', data: lodashRecord() }]);

    await expectRefused(zip, zip, /absolute path: \/etc\/evil\.json/);
  });

  it('an entry declaring a huge size, before inflating it', async () => {
    const zip = zipFile([
      { name: 'GHSA-29mw-wpgm-hmr9.json', data: lodashRecord() },
      { name: 'bomb.json', data: '{}', declaredSize: 3 * 1024 ** 3 },
    ]);

    await expectRefused(zip, `${zip}!bomb.json`, /larger than the limit of 67108864 bytes/);
  });

  it('an entry that inflates to more than it declares', async () => {
    const zip = zipFile([{ name: 'liar.json', data: lodashRecord(), declaredSize: 100 }]);

    await expectRefused(zip, `${zip}!liar.json`, /too many bytes|size mismatch/);
  });

  it('an entry over a configured limit', async () => {
    const zip = zipFile([{ name: 'GHSA-29mw-wpgm-hmr9.json', data: lodashRecord() }]);

    await expectRefused(
      zip,
      `${zip}!GHSA-29mw-wpgm-hmr9.json`,
      /larger than the limit of 100 bytes/,
      {
        limits: { maxDocumentBytes: 100 },
      },
    );
  });

  it('a file that starts like a zip and is not one', async () => {
    const file = path.join(tempDir(), 'broken.zip');
    writeFileSync(file, Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(64)]));

    await expectRefused(file, file, /end of central directory record signature not found/i);
  });
});
