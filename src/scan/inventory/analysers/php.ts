// PHP packages as Composer installed them: <vendor-dir>/composer/installed.json, which
// Composer rewrites on every install. Composer 1 wrote a bare array of packages; Composer 2
// writes {"packages": [...], "dev": bool, "dev-package-names": [...]}. Development packages
// are reported too: they are on disk, and so is their code. The vendor directory is usually
// vendor/ but any name can be configured, so any composer/installed.json is read.

import { bufferedAnalyser, UnreadableFileError, type FileAnalyser } from '../analyser.js';
import type { FoundPackage } from '../types.js';

const INSTALLED = /(?:^|\/)composer\/installed\.json$/;

export const phpAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'composer-installed',
    maxBytes: 64 * 2 ** 20,
    matches: ({ path }) => INSTALLED.test(path),
    parse: (content) => ({
      kind: 'packages',
      packages: parseInstalledJson(content.toString('utf8')),
    }),
  }),
];

export function parseInstalledJson(text: string): FoundPackage[] {
  const installed: unknown = JSON.parse(text);
  const listed = Array.isArray(installed)
    ? installed
    : (installed as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(listed)) throw new UnreadableFileError('no package list');

  return listed.flatMap((entry: unknown) => {
    const { name, version, license } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string') return [];
    if (name === '' || version === '') return [];

    return [{ type: 'composer' as const, name, version, licenses: licensesOf(license) }];
  });
}

/** An array of SPDX identifiers; very old packages wrote a single string. */
function licensesOf(license: unknown): string[] {
  const declared = Array.isArray(license) ? license : [license];

  return declared.filter((entry): entry is string => typeof entry === 'string' && entry !== '');
}
