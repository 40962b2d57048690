// Alpine packages (apk): Alpine, Wolfi and Chainguard images. The database is one text file,
// lib/apk/db/installed (usr/lib/apk/db/installed in newer layouts): a paragraph per package of
// "X:value" lines (apk-tools' "installed database" format), of which these matter:
//   P name   V version   A architecture   o origin (the aport, which advisories are keyed by)
//   L licence   F a directory   R a file in the directory named by the F before it

import { bufferedAnalyser, type FileAnalyser } from '../analyser.js';
import { joinPath, normalisePath } from '../paths.js';
import type { FoundPackage } from '../types.js';

const DATABASES = new Set(['lib/apk/db/installed', 'usr/lib/apk/db/installed']);
const unlimited = { maxPathBytes: Infinity, maxPathDepth: Infinity };

export const apkAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'apk-installed',
    maxBytes: 64 * 2 ** 20,
    matches: ({ path }) => DATABASES.has(path),
    parse: (content) => ({ kind: 'packages', packages: parseInstalled(content.toString('utf8')) }),
  }),
];

interface Draft {
  fields: Map<string, string>;
  files: string[];
  dir: string;
}

export function parseInstalled(text: string): FoundPackage[] {
  const packages: FoundPackage[] = [];
  let draft = newDraft();

  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      const found = packageOf(draft);
      if (found) packages.push(found);
      draft = newDraft();
      continue;
    }
    readLine(draft, line);
  }
  const last = packageOf(draft);
  if (last) packages.push(last);

  return packages;
}

function readLine(draft: Draft, line: string): void {
  const key = line[0] ?? '';
  const value = line.slice(2).trimEnd();
  if (line[1] !== ':') return;

  if (key === 'F') draft.dir = normalisePath(value, unlimited) ?? '';
  else if (key === 'R') addFile(draft, joinPath(draft.dir, value));
  // The first value wins: apk writes each field once, and a repeat would be corruption.
  else if (!draft.fields.has(key)) draft.fields.set(key, value);
}

function addFile(draft: Draft, path: string): void {
  const normal = normalisePath(path, unlimited);
  if (normal) draft.files.push(normal);
}

function packageOf(draft: Draft): FoundPackage | undefined {
  const name = draft.fields.get('P');
  const version = draft.fields.get('V');
  if (!name || !version) return undefined;

  const license = draft.fields.get('L');

  return {
    type: 'apk',
    name,
    version,
    arch: draft.fields.get('A'),
    sourceName: draft.fields.get('o') ?? name,
    sourceVersion: version,
    licenses: license ? [license] : [],
    files: draft.files,
  };
}

function newDraft(): Draft {
  return { fields: new Map(), files: [], dir: '' };
}
