// Python distributions as installed (PyPA "Recording installed projects"): a .dist-info
// directory's METADATA for wheels, an .egg-info directory's PKG-INFO (or a single .egg-info
// file) for setuptools installs, EGG-INFO/PKG-INFO inside unpacked eggs. All are core metadata:
// email-style headers, then the long description, which is why only the start is read.

import { bufferedAnalyser, type FileAnalyser } from '../analyser.js';
import type { FoundPackage } from '../types.js';
import { field, fields, parseStanzas } from './stanzas.js';

const METADATA = /(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\/EGG-INFO\/PKG-INFO|\.egg-info)$/;
const LICENSE_CLASSIFIER = 'License :: ';

export const pythonAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'python-metadata',
    maxBytes: 256 * 1024,
    readsPrefix: true,
    matches: ({ path }) => METADATA.test(path),
    parse: (content) => {
      const found = parseCoreMetadata(content.toString('utf8'));

      return found ? { kind: 'packages', packages: [found] } : undefined;
    },
  }),
];

export function parseCoreMetadata(text: string): FoundPackage | undefined {
  const headers = parseStanzas(text)[0] ?? [];
  const name = field(headers, 'Name');
  const version = field(headers, 'Version');
  if (!name || !version) return undefined;

  return { type: 'pypi', name, version, licenses: licensesOf(headers) };
}

/**
 * Metadata 2.4's License-Expression is an SPDX expression; before it, License was free text
 * (sometimes a whole licence, which is useless here) and classifiers named the licence.
 */
function licensesOf(headers: [string, string][]): string[] {
  const expression = field(headers, 'License-Expression');
  if (expression) return [expression];

  const license = field(headers, 'License');
  if (license && !license.includes('\n') && license.length <= 100 && license !== 'UNKNOWN') {
    return [license];
  }

  return fields(headers, 'Classifier')
    .filter((classifier) => classifier.startsWith(LICENSE_CLASSIFIER))
    .map((classifier) => classifier.split(' :: ').pop() as string);
}
