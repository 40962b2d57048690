// Debian packages (dpkg): Debian, Ubuntu and distroless images.
//
// Read at layer time:
//   var/lib/dpkg/status            every package, one paragraph each (deb-status(5))
//   var/lib/dpkg/status.d/<name>   distroless: one file per package, no Status field
//   var/lib/dpkg/info/<pkg>.list   files a package installed (<pkg>:<arch>.list for
//                                  Multi-Arch: same packages)
//   var/lib/dpkg/status.d/<name>.md5sums   distroless: the same, as md5sums lines
//   usr/share/doc/<pkg>/copyright  licences, when the file is machine-readable (DEP-5)
// Joined at image time by `debianDetails`, through the merged view, so that a copyright file
// or a file list from another layer (or reached through a symlinked doc directory) still
// counts.

import { bufferedAnalyser, type FileAnalyser } from '../analyser.js';
import type { MergedFilesystem } from '../filesystem.js';
import { normalisePath } from '../paths.js';
import type { FileFact, FoundPackage } from '../types.js';
import { field, fields, firstLine, parseStanzas, unique, type Stanza } from './stanzas.js';

const STATUS = 'var/lib/dpkg/status';
const STATUS_DIR = 'var/lib/dpkg/status.d/';
const INFO_DIR = 'var/lib/dpkg/info/';
const DOC_DIR = 'usr/share/doc/';
const MD5SUMS = '.md5sums';
const MiB = 2 ** 20;
const unlimited = { maxPathBytes: Infinity, maxPathDepth: Infinity };

/**
 * dpkg's package states (deb-status(5)); in these two the package's files are gone:
 * `not-installed` (purged) and `config-files` (removed, configuration kept).
 */
const ABSENT_STATES = new Set(['not-installed', 'config-files']);

export const dpkgAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'dpkg-status',
    maxBytes: 64 * MiB,
    matches: ({ path }) => path === STATUS || isStatusDirStanza(path),
    parse: (content) => ({ kind: 'packages', packages: parseStatus(content.toString('utf8')) }),
  }),
  bufferedAnalyser({
    id: 'dpkg-file-list',
    maxBytes: 16 * MiB,
    matches: ({ path }) =>
      (path.startsWith(INFO_DIR) &&
        path.endsWith('.list') &&
        !path.includes('/', INFO_DIR.length)) ||
      (path.startsWith(STATUS_DIR) && path.endsWith(MD5SUMS)),
    parse: (content, { path }) => ({
      kind: 'file-list',
      files: path.endsWith(MD5SUMS) ? parseMd5sums(content) : parseList(content),
    }),
  }),
  bufferedAnalyser({
    id: 'dpkg-copyright',
    maxBytes: 4 * MiB,
    matches: ({ path }) => isCopyright(path),
    parse: (content): FileFact => ({
      kind: 'licenses',
      licenses: copyrightLicenses(content.toString('utf8')),
    }),
  }),
];

/** Packages present on disk, from a status file or a distroless status.d file. */
export function parseStatus(text: string): FoundPackage[] {
  return parseStanzas(text).flatMap((stanza) => {
    const found = packageOf(stanza);

    return found ? [found] : [];
  });
}

function packageOf(stanza: Stanza): FoundPackage | undefined {
  const name = field(stanza, 'Package');
  const version = field(stanza, 'Version');
  if (!name || !version) return undefined;

  // Distroless stanzas carry no Status at all: everything listed is installed.
  const status = field(stanza, 'Status');
  const state = status?.split(/\s+/)[2];
  if (state !== undefined && ABSENT_STATES.has(state)) return undefined;

  // "Source: name" or "Source: name (version)"; without a version the source has the binary's.
  const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(field(stanza, 'Source') ?? '');

  return {
    type: 'deb',
    name,
    version,
    arch: field(stanza, 'Architecture'),
    sourceName: source?.[1] ?? name,
    sourceVersion: source?.[2] ?? version,
    licenses: [],
  };
}

/** A .list file: absolute paths, one a line, directories included, "/." for the root. */
function parseList(content: Buffer): string[] {
  return pathsOf(content.toString('utf8').split('\n'));
}

/** An md5sums file: "<md5>  <path relative to the root>". */
function parseMd5sums(content: Buffer): string[] {
  const lines = content.toString('utf8').split('\n');

  return pathsOf(lines.map((line) => line.replace(/^[0-9a-f]{32}\s+/, '')));
}

function pathsOf(lines: string[]): string[] {
  return lines.flatMap((line) => {
    const path = normalisePath(line.trimEnd(), unlimited);

    return path ? [path] : [];
  });
}

/**
 * Licence names from a copyright file. A machine-readable file (DEP-5, "Format:" first) names
 * them in License fields; other files often point at /usr/share/common-licenses/<name>, which
 * is the next best thing. Free-text notices without either yield nothing.
 */
export function copyrightLicenses(text: string): string[] {
  if (/^Format:/i.test(text)) {
    const stanzas = parseStanzas(text);
    const declared = stanzas.flatMap((stanza, index) =>
      index === 0 || field(stanza, 'Files') !== undefined
        ? fields(stanza, 'License').map(firstLine)
        : [],
    );

    return unique(declared.filter((name) => name !== ''));
  }

  const referenced = text.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9][\w.+-]*\w\+?)/g);

  return unique([...referenced].map((match) => match[1] as string));
}

/** Adds what other dpkg files say about a package: its licences and its installed files. */
export function debianDetails(
  found: FoundPackage,
  view: MergedFilesystem,
): Pick<FoundPackage, 'licenses' | 'files'> {
  const copyright = view.fact(`${DOC_DIR}${found.name}/copyright`);
  const list =
    view.fact(`${INFO_DIR}${found.name}:${found.arch ?? ''}.list`) ??
    view.fact(`${INFO_DIR}${found.name}.list`) ??
    view.fact(`${STATUS_DIR}${found.name}${MD5SUMS}`);

  return {
    licenses: copyright?.kind === 'licenses' ? copyright.licenses : found.licenses,
    files: list?.kind === 'file-list' ? list.files : found.files,
  };
}

function isStatusDirStanza(path: string): boolean {
  return (
    path.startsWith(STATUS_DIR) && !path.includes('/', STATUS_DIR.length) && !path.endsWith(MD5SUMS)
  );
}

function isCopyright(path: string): boolean {
  if (!path.startsWith(DOC_DIR) || !path.endsWith('/copyright')) return false;

  const dir = path.slice(DOC_DIR.length, -'/copyright'.length);

  return dir !== '' && !dir.includes('/');
}
