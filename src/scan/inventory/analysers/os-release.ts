// Which distribution the image declares. os-release(5) first: /etc/os-release, then
// /usr/lib/os-release, which the spec names as the fallback (and which /etc/os-release is
// usually a symlink to). Images without it (old or stripped ones) still often carry a
// distribution's own release file.

import type { OperatingSystem } from '../../model.js';
import { bufferedAnalyser, type FileAnalyser } from '../analyser.js';
import type { MergedFilesystem } from '../filesystem.js';

const OS_RELEASE = ['etc/os-release', 'usr/lib/os-release'];
const DEBIAN_VERSION = 'etc/debian_version';
const ALPINE_RELEASE = 'etc/alpine-release';
const REDHAT_RELEASE = 'etc/redhat-release';
const RELEASE_LINES = new Set([DEBIAN_VERSION, ALPINE_RELEASE, REDHAT_RELEASE]);
const KiB = 1024;

export const osReleaseAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'os-release',
    maxBytes: 64 * KiB,
    matches: ({ path }) => OS_RELEASE.includes(path),
    parse: (content) => ({ kind: 'os-release', fields: parseOsRelease(content.toString('utf8')) }),
  }),
  bufferedAnalyser({
    id: 'release-file',
    maxBytes: 64 * KiB,
    matches: ({ path }) => RELEASE_LINES.has(path),
    parse: (content) => ({
      kind: 'release-line',
      text: content.toString('utf8').split('\n')[0]?.trim() ?? '',
    }),
  }),
];

/**
 * KEY=value lines with shell-style quoting (os-release(5)): double quotes allow the escapes
 * \" \\ \$ \`, single quotes none; `#` starts a comment line.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line.trimEnd());
    if (match) result[match[1] as string] = unquote(match[2] as string);
  }

  return result;
}

function unquote(raw: string): string {
  const double = /^"(.*)"$/.exec(raw);
  if (double) return (double[1] as string).replace(/\\(["\\$`])/g, '$1');

  const single = /^'(.*)'$/.exec(raw);

  return single ? (single[1] as string) : raw;
}

export function detectOs(view: MergedFilesystem): OperatingSystem | undefined {
  const fromOsRelease = OS_RELEASE.map((path) => view.fact(path)).find(
    (fact) => fact?.kind === 'os-release' && fact.fields.ID,
  );
  if (fromOsRelease?.kind === 'os-release') return osFromFields(fromOsRelease.fields);

  return (
    fromReleaseLine(view, DEBIAN_VERSION, debianFromVersion) ??
    fromReleaseLine(view, ALPINE_RELEASE, (text) => ({ id: 'alpine', versionId: text })) ??
    fromReleaseLine(view, REDHAT_RELEASE, redHatFromRelease)
  );
}

function osFromFields(fields: Record<string, string>): OperatingSystem {
  return withoutUndefined({
    id: (fields.ID as string).toLowerCase(),
    versionId: fields.VERSION_ID || undefined,
    codename: fields.VERSION_CODENAME || undefined,
    prettyName: fields.PRETTY_NAME || undefined,
  });
}

function fromReleaseLine(
  view: MergedFilesystem,
  path: string,
  parse: (text: string) => OperatingSystem | undefined,
): OperatingSystem | undefined {
  const fact = view.fact(path);

  return fact?.kind === 'release-line' && fact.text !== '' ? parse(fact.text) : undefined;
}

/**
 * /etc/debian_version holds "12.5" on a release (os-release's VERSION_ID is its major, "12")
 * and "trixie/sid" on testing and unstable, which have no version number.
 */
function debianFromVersion(text: string): OperatingSystem {
  const release = /^(\d+)(\.\d+)*$/.exec(text);
  if (release) return { id: 'debian', versionId: release[1] };

  return { id: 'debian', codename: text.split('/')[0] };
}

const RED_HAT_FAMILY: [RegExp, string][] = [
  [/^red hat enterprise linux/i, 'rhel'],
  [/^centos/i, 'centos'],
  [/^rocky/i, 'rocky'],
  [/^almalinux/i, 'almalinux'],
  [/^fedora/i, 'fedora'],
  [/^oracle/i, 'ol'],
];

/** "<name> release <version> (<codename>)", e.g. "Rocky Linux release 9.3 (Blue Onyx)". */
function redHatFromRelease(text: string): OperatingSystem | undefined {
  const id = RED_HAT_FAMILY.find(([pattern]) => pattern.test(text))?.[1];
  if (!id) return undefined;

  const version = /\brelease\s+(\d[\w.]*)/i.exec(text)?.[1];

  return withoutUndefined({ id, versionId: version, prettyName: text });
}

function withoutUndefined(os: OperatingSystem): OperatingSystem {
  return Object.fromEntries(
    Object.entries(os).filter(([, value]) => value !== undefined),
  ) as unknown as OperatingSystem;
}
