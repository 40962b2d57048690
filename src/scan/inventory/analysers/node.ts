// npm packages as installed: every node_modules/<name>/package.json and
// node_modules/@<scope>/<name>/package.json, at any depth. In an image the installed
// manifests are the truth; a lock file next to them describes what was asked for, and may be
// stale or include packages that an upper layer deleted.

import { bufferedAnalyser, UnreadableFileError, type FileAnalyser } from '../analyser.js';
import type { FoundPackage } from '../types.js';

const MANIFEST = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/.][^/]*\/package\.json$/;

export const nodeAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'npm-package',
    maxBytes: 2 ** 20,
    matches: ({ path }) => MANIFEST.test(path),
    parse: (content) => {
      const found = parsePackageJson(content.toString('utf8'));

      return found ? { kind: 'packages', packages: [found] } : undefined;
    },
  }),
];

export function parsePackageJson(text: string): FoundPackage | undefined {
  const manifest: unknown = JSON.parse(text);
  if (typeof manifest !== 'object' || manifest === null) {
    throw new UnreadableFileError('package.json is not an object');
  }

  const { name, version } = manifest as Record<string, unknown>;
  if (typeof name !== 'string' || typeof version !== 'string') return undefined;
  if (name === '' || version === '') return undefined;

  return { type: 'npm', name, version, licenses: licensesOf(manifest as Record<string, unknown>) };
}

/**
 * "license" is an SPDX expression today; older packages wrote {"type": …} objects or a
 * "licenses" array of them.
 */
function licensesOf(manifest: Record<string, unknown>): string[] {
  const declared = [
    manifest.license,
    ...(Array.isArray(manifest.licenses) ? manifest.licenses : []),
  ];

  return declared.flatMap((entry: unknown) => {
    if (typeof entry === 'string' && entry !== '') return [entry];
    if (typeof entry === 'object' && entry !== null) {
      const type = (entry as Record<string, unknown>).type;
      if (typeof type === 'string' && type !== '') return [type];
    }

    return [];
  });
}
