import { describe, expect, it } from 'vitest';
import {
  categoryOfLicense,
  categoryOfLicenses,
  LICENSE_CATEGORIES,
  summariseLicenses,
} from '../../../../src/scan/licenses/index.js';
import type { InventoryPackage } from '../../../../src/scan/model.js';

describe('licence categories', () => {
  it.each([
    // SPDX ids, current and deprecated forms.
    ['MIT', 'permissive'],
    ['Apache-2.0', 'permissive'],
    ['BSD-3-Clause', 'permissive'],
    ['ISC', 'permissive'],
    ['Zlib', 'permissive'],
    ['LGPL-2.1-or-later', 'weak-copyleft'],
    ['LGPL-3.0', 'weak-copyleft'],
    ['MPL-2.0', 'weak-copyleft'],
    ['EPL-2.0', 'weak-copyleft'],
    ['GPL-2.0-only', 'strong-copyleft'],
    ['GPL-3.0+', 'strong-copyleft'],
    ['EUPL-1.2', 'strong-copyleft'],
    ['AGPL-3.0-or-later', 'network-copyleft'],
    ['SSPL-1.0', 'network-copyleft'],
    ['CC0-1.0', 'public-domain'],
    ['Unlicense', 'public-domain'],
    ['0BSD', 'public-domain'],
    ['BUSL-1.1', 'proprietary'],
    ['CC-BY-NC-4.0', 'proprietary'],
    ['LicenseRef-Acme-EULA', 'proprietary'],
    ['NASA-1.3', 'unknown'],
    // Expressions: a choice takes the least restrictive, a conjunction the most.
    ['MIT OR GPL-3.0-only', 'permissive'],
    ['MIT AND GPL-3.0-only', 'strong-copyleft'],
    ['(LGPL-2.1-only OR MIT) AND AGPL-3.0-only', 'network-copyleft'],
    ['GPL-2.0-only WITH Classpath-exception-2.0', 'weak-copyleft'],
    ['GPL-3.0-or-later WITH GCC-exception-3.1', 'weak-copyleft'],
    ['GPL-3.0-or-later WITH Bison-exception-2.2', 'strong-copyleft'],
    // Names that are not SPDX: Debian, Fedora, Python classifiers, npm.
    ['GPL-2+', 'strong-copyleft'],
    ['LGPL-2.1+', 'weak-copyleft'],
    ['Expat', 'permissive'],
    ['BSD-3-clause', 'permissive'],
    ['public-domain', 'public-domain'],
    ['Artistic or GPL-1+', 'permissive'],
    ['GPL-3+ with GCC-exception-3.1', 'weak-copyleft'],
    ['GPLv2+ and LGPLv2+ and BSD', 'strong-copyleft'],
    ['ASL 2.0', 'permissive'],
    ['GNU Affero General Public License v3', 'network-copyleft'],
    ['GNU Lesser General Public License v3 (LGPLv3)', 'weak-copyleft'],
    ['Mozilla Public License 2.0 (MPL 2.0)', 'weak-copyleft'],
    ['Apache Software License', 'permissive'],
    ['The Unlicense (Unlicense)', 'public-domain'],
    ['UNLICENSED', 'proprietary'],
    ['SEE LICENSE IN LICENSE.txt', 'proprietary'],
    ['other', 'unknown'],
    ['', 'unknown'],
  ])('%s is %s', (declared, category) => {
    expect(categoryOfLicense(declared)).toBe(category);
  });

  it('takes the most restrictive of the licences a package declares, ignoring unknown ones', () => {
    expect(categoryOfLicenses(['MIT', 'GPL-2+', 'other'])).toBe('strong-copyleft');
    expect(categoryOfLicenses(['other', 'custom'])).toBe('unknown');
    expect(categoryOfLicenses([])).toBe('unknown');
  });
});

describe('the licence summary', () => {
  it('counts packages per category, every category present', () => {
    const item = (name: string, licenses: string[]): InventoryPackage => ({
      type: 'npm',
      name,
      version: '1.0.0',
      licenses,
      purl: `pkg:npm/${name}@1.0.0`,
      location: `/app/node_modules/${name}/package.json`,
      layerDigest: 'sha256:layer',
    });

    const summary = summariseLicenses([
      item('a', ['MIT']),
      item('b', ['AGPL-3.0-only']),
      item('c', []),
      item('d', ['ISC']),
    ]);

    expect(Object.keys(summary.counts)).toEqual([...LICENSE_CATEGORIES]);
    expect(summary.counts).toMatchObject({ permissive: 2, 'network-copyleft': 1, unknown: 1 });
    expect(summary.packages.map((p) => [p.name, p.category])).toEqual([
      ['a', 'permissive'],
      ['b', 'network-copyleft'],
      ['c', 'unknown'],
      ['d', 'permissive'],
    ]);
  });
});
