import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { advisoriesCommand } from '../../../../src/cli/advisories.js';
import { captureOutput, type Captured } from '../../../support/capture.js';
import { alpineFixtures, debianFixtures, osvFixtures, tempDir } from './support.js';

/** Runs `berth advisories ARGS…` in-process and returns what it printed. */
function berth(...args: string[]): Promise<Captured> {
  return captureOutput(() => advisoriesCommand().exitOverride().parseAsync(args, { from: 'user' }));
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('berth advisories', () => {
  it('imports each format, detected from the content, into <data>/advisories.db', async () => {
    const data = tempDir();

    const osv = await berth('import', osvFixtures(), '--data', data, '--name', 'ghsa');
    const debian = await berth('import', debianFixtures(), '--data', data, '--name', 'debian');
    const alpine = await berth('import', alpineFixtures(), '--data', data, '--name', 'alpine');

    expect(osv.stdout).toMatch(
      /^imported 77 advisories \(146 package records\) as osv source "ghsa" in/,
    );
    expect(debian.stdout).toMatch(/^imported 19 advisories .* as debian source "debian"/);
    expect(alpine.stdout).toMatch(
      /^imported 228 advisories \(273 package records\) as alpine source/,
    );
    expect(existsSync(path.join(data, 'advisories.db'))).toBe(true);
    expect(process.exitCode).toBeUndefined();
  });

  it('says what a re-import replaced', async () => {
    const data = tempDir();
    await berth('import', osvFixtures(), '--data', data);

    const again = await berth('import', osvFixtures(), '--data', data, '--source', 'osv');

    expect(again.stdout).toMatch(/; replaced 77 advisories from its previous import\n$/);
  });

  it('shows sources as a table and as JSON', async () => {
    const data = tempDir();
    await berth('import', osvFixtures(), '--data', data, '--name', 'ghsa');
    await berth('import', alpineFixtures(), '--data', data, '--name', 'alpine');

    const { stdout: text } = await berth('status', '--data', data);
    const { stdout: json } = await berth('status', '--data', data, '--json');
    const lines = text.trimEnd().split('\n');

    expect(lines[0]).toMatch(
      /^FORMAT +ADVISORIES +PACKAGES +AFFECTED +FIXED +WILL-NOT-FIX +DEFERRED +DATA AGE +IMPORTED +SOURCE$/,
    );
    expect(lines[1]).toMatch(/^alpine +228 +273 +0 +273 +0 +0 +\d+[mhd] +0m ago +alpine$/);
    expect(lines[2]).toMatch(/^osv +77 +146 +2 +144 +0 +0 +\d+d +0m ago +ghsa$/);
    expect(JSON.parse(json)).toMatchObject([
      { name: 'alpine', format: 'alpine', advisories: 228, statuses: { fixed: 273 } },
      {
        name: 'ghsa',
        format: 'osv',
        path: path.resolve(osvFixtures()),
        advisories: 77,
        packages: 146,
        withdrawn: 0,
        importedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        dataAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('reports an empty database without creating one', async () => {
    const data = path.join(tempDir(), 'data');

    const { stdout } = await berth('status', '--data', data);
    const { stdout: json } = await berth('status', '--data', data, '--json');

    expect(stdout).toBe(
      'no advisories imported yet; import some with: berth advisories import PATH\n',
    );
    expect(JSON.parse(json)).toEqual([]);
    expect(existsSync(data)).toBe(false);
  });

  it('fails with one line naming the bad file, and imports nothing', async () => {
    const data = tempDir();
    const bad = path.join(tempDir(), 'bad.json');
    writeFileSync(bad, '{"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", "affected": [');

    const { stdout, stderr } = await berth('import', bad, '--data', data);

    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(
        `^berth: cannot import ${bad}: ${bad}: not valid JSON \\(.+\\); nothing was imported\n$`,
      ),
    );
    expect(process.exitCode).toBe(1);
    expect(JSON.parse((await berth('status', '--data', data, '--json')).stdout)).toEqual([]);
  });
});
