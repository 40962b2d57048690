// What a licence asks of those who ship the software, in seven categories. The table names
// SPDX licence ids (without -only, -or-later or "+", which do not change the category); whole
// families are matched by prefix after it. Names that are not SPDX ids (Debian's "GPL-2+",
// Fedora's "ASL 2.0", Python classifiers' "MIT License") go through NAME_RULES.

export const LICENSE_CATEGORIES = [
  'permissive',
  'weak-copyleft',
  'strong-copyleft',
  'network-copyleft',
  'public-domain',
  'proprietary',
  'unknown',
] as const;

/**
 * - permissive: keep the notice (MIT, BSD, Apache-2.0, ISC, …).
 * - weak-copyleft: changes to the licensed files or library are shared; linking is free (LGPL,
 *   MPL, EPL, CDDL, GPL with a linking exception).
 * - strong-copyleft: works built on it are distributed under the same licence (GPL, EUPL,
 *   CC-BY-SA).
 * - network-copyleft: strong copyleft that also applies to users over a network (AGPL, SSPL,
 *   OSL, RPL).
 * - public-domain: no conditions (CC0, Unlicense, 0BSD, WTFPL).
 * - proprietary: restricts use or is not a standard licence (UNLICENSED, BUSL, Elastic-2.0,
 *   non-commercial or no-derivatives Creative Commons, LicenseRef-…).
 * - unknown: nothing declared, or nothing recognisable.
 */
export type LicenseCategory = (typeof LICENSE_CATEGORIES)[number];

/** SPDX ids, without -only / -or-later, by category. */
const BY_ID: Record<string, LicenseCategory> = {
  ...category('public-domain', [
    ...['CC0-1.0', 'Unlicense', '0BSD', 'WTFPL', 'CC-PDDC', 'PDDL-1.0', 'MIT-0', 'blessing'],
    'SAX-PD',
  ]),
  ...category('permissive', [
    ...['MIT', 'X11', 'ISC', 'Apache-1.0', 'Apache-1.1', 'Apache-2.0', 'Zlib', 'BSL-1.0'],
    ...['PSF-2.0', 'Python-2.0', 'Python-2.0.1', 'CNRI-Python', 'OpenSSL', 'curl', 'NCSA'],
    ...['libpng', 'libpng-2.0', 'zlib-acknowledgement', 'ICU', 'Unicode-DFS-2015', 'W3C'],
    ...['Unicode-DFS-2016', 'Unicode-3.0', 'PostgreSQL', 'FTL', 'HPND', 'Ruby', 'PHP-3.0'],
    ...['PHP-3.01', 'Zend-2.0', 'Artistic-1.0', 'Artistic-1.0-Perl', 'Artistic-2.0', 'UPL-1.0'],
    ...['AFL-2.1', 'AFL-3.0', 'CC-BY-3.0', 'CC-BY-4.0', 'BlueOak-1.0.0', 'MirOS', 'Beerware'],
    ...['TCL', 'JasPer-2.0', 'bzip2-1.0.6', 'OLDAP-2.8', 'SSLeay-standalone', 'Info-ZIP'],
  ]),
  ...category('weak-copyleft', [
    ...['LGPL-2.0', 'LGPL-2.1', 'LGPL-3.0', 'MPL-1.0', 'MPL-1.1', 'MPL-2.0', 'EPL-1.0'],
    ...['EPL-2.0', 'CDDL-1.0', 'CDDL-1.1', 'CPL-1.0', 'IPL-1.0', 'APSL-2.0', 'MS-RL', 'MS-PL'],
    'OFL-1.1',
    ...['OFL-1.0', 'CECILL-B', 'CECILL-C', 'GPL-2.0-with-classpath-exception'],
    ...[
      'GPL-2.0-with-GCC-exception',
      'GPL-3.0-with-GCC-exception',
      'MPL-2.0-no-copyleft-exception',
    ],
  ]),
  ...category('strong-copyleft', [
    ...['GPL-1.0', 'GPL-2.0', 'GPL-3.0', 'EUPL-1.0', 'EUPL-1.1', 'EUPL-1.2', 'OSL-1.0'],
    ...['OSL-1.1', 'Sleepycat', 'QPL-1.0', 'CECILL-1.0', 'CECILL-2.0', 'CECILL-2.1'],
    ...['CC-BY-SA-3.0', 'CC-BY-SA-4.0', 'GFDL-1.2', 'GFDL-1.3', 'GPL-2.0-with-bison-exception'],
    ...['GPL-2.0-with-autoconf-exception', 'GPL-3.0-with-autoconf-exception'],
  ]),
  ...category('network-copyleft', [
    ...['AGPL-1.0', 'AGPL-3.0', 'SSPL-1.0', 'OSL-2.0', 'OSL-2.1', 'OSL-3.0', 'RPL-1.1'],
    'RPL-1.5',
  ]),
  ...category('proprietary', [
    ...['BUSL-1.1', 'Elastic-2.0', 'JSON', 'CC-BY-NC-4.0', 'CC-BY-ND-4.0'],
    ...[
      'CC-BY-NC-SA-4.0',
      'CC-BY-NC-ND-4.0',
      'CC-BY-NC-3.0',
      'CC-BY-ND-3.0',
      'PolyForm-Noncommercial-1.0.0',
    ],
  ]),
};

/** Families by id prefix, for versions the table does not list. First match wins. */
const BY_PREFIX: [string, LicenseCategory][] = [
  ['AGPL-', 'network-copyleft'],
  ['LGPL-', 'weak-copyleft'],
  ['GPL-', 'strong-copyleft'],
  ['MPL-', 'weak-copyleft'],
  ['EPL-', 'weak-copyleft'],
  ['CDDL-', 'weak-copyleft'],
  ['EUPL-', 'strong-copyleft'],
  ['CC-BY-NC', 'proprietary'],
  ['CC-BY-ND', 'proprietary'],
  ['CC-BY-SA-', 'strong-copyleft'],
  ['CC-BY-', 'permissive'],
  ['BSD-', 'permissive'],
  ['MIT-', 'permissive'],
  ['Apache-', 'permissive'],
  ['OFL-', 'weak-copyleft'],
  ['LicenseRef-', 'proprietary'],
  ['DocumentRef-', 'proprietary'],
];

/**
 * Licence names that are not SPDX ids, as distributions and package managers write them,
 * lower-cased. First match wins, so narrower families come before the names they contain
 * ("lgpl" before "gpl", "unlicensed" before "unlicense").
 */
const NAME_RULES: [RegExp, LicenseCategory][] = [
  [/\bunlicensed\b|proprietary|commercial|all rights reserved|^see licen[cs]e in\b/, 'proprietary'],
  [/non-?commercial|\bcc-by-n[cd]\b/, 'proprietary'],
  [/\bagpl|affero/, 'network-copyleft'],
  [/\blgpl|lesser general public|library general public/, 'weak-copyleft'],
  [
    /\bmpl\b|mozilla public|\bepl\b|eclipse public|\bcddl\b|common development and distribution/,
    'weak-copyleft',
  ],
  [/\bgpl|general public licen[cs]e|\bgfdl|free documentation licen[cs]e/, 'strong-copyleft'],
  [/public[ -]?domain|\bcc0\b|\bunlicense\b|\bwtfpl\b|\b0bsd\b/, 'public-domain'],
  [
    /\bmit\b|\bexpat\b|\bx11\b|\bbsd\b|\bisc\b|apache|\basl\b|\bzlib\b|artistic|\bruby\b/,
    'permissive',
  ],
  [/\bpsf\b|python software foundation|\bboost\b|\bbsl\b|openssl|ssleay|libpng/, 'permissive'],
  [/\bcurl\b|unicode|\bpermissive\b|postgresql|\bncsa\b|\bhpnd\b/, 'permissive'],
];

/** GPL exceptions that allow linking or using runtime parts without the GPL's conditions. */
const LINKING_EXCEPTION = /classpath|gcc|runtime|linking|llvm|universal-foss|openjdk|font/i;

/** The category of one SPDX licence id, optionally with an exception. */
export function categoryOfId(id: string, exception?: string): LicenseCategory {
  const base = id.replace(/\+$/, '').replace(/-(?:only|or-later)$/, '');
  const found =
    BY_ID[base] ?? BY_PREFIX.find(([prefix]) => base.startsWith(prefix))?.[1] ?? 'unknown';

  return withException(found, exception);
}

/** The category of a licence name that is not an SPDX expression. */
export function categoryOfName(name: string): LicenseCategory {
  const lower = name.toLowerCase();
  const exception = /\bwith\b(.*)$/.exec(lower)?.[1];
  const found = NAME_RULES.find(([pattern]) => pattern.test(lower))?.[1] ?? 'unknown';

  return withException(found, exception);
}

/** A linking exception weakens the GPL; the Commons Clause takes an open licence away. */
function withException(found: LicenseCategory, exception: string | undefined): LicenseCategory {
  if (exception === undefined) return found;
  if (/commons[- ]clause/i.test(exception)) return 'proprietary';

  return found === 'strong-copyleft' && LINKING_EXCEPTION.test(exception) ? 'weak-copyleft' : found;
}

function category(name: LicenseCategory, ids: string[]): Record<string, LicenseCategory> {
  return Object.fromEntries(ids.map((id) => [id, name]));
}
