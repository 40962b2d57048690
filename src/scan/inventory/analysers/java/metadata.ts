// What a Java archive says about the artifact it is, most reliable first:
//   1. META-INF/maven/<groupId>/<artifactId>/pom.properties, written by Maven (and Gradle's
//      maven-publish) when the archive is built: exact coordinates. A shaded archive carries
//      one per artifact folded into it, and each is an artifact the archive ships.
//   2. The main section of META-INF/MANIFEST.MF (JAR File Specification): versions in
//      Implementation-Version or OSGi's Bundle-Version, names in the titles or the
//      Bundle-SymbolicName, a group only in Implementation-Vendor-Id (which old Maven
//      archivers filled in).
//   3. The file name, which Maven and Gradle write as <artifactId>-<version>.jar.
// Maven names are "groupId:artifactId", as OSV's Maven ecosystem spells them. A group is never
// guessed: an archive that does not state one is named by its artifact alone.

import type { FoundPackage } from '../../types.js';

export interface ArchiveMetadata {
  /** Each pom.properties, with the path it was found at. */
  poms: { path: string; properties: Map<string, string> }[];
  /** The manifest's main section, names lower-cased (they are case-insensitive). */
  manifest?: Map<string, string>;
}

export function archivePackages(fileName: string, metadata: ArchiveMetadata): FoundPackage[] {
  if (metadata.poms.length > 0) {
    return metadata.poms.flatMap(({ path, properties }) => pomPackage(path, properties));
  }

  const found = metadata.manifest
    ? manifestPackage(metadata.manifest, fileName)
    : fileNamePackage(fileName);

  return found ? [found] : [];
}

/** pom.properties fields, with the folder names standing in for missing coordinates. */
function pomPackage(path: string, properties: Map<string, string>): FoundPackage[] {
  const [, folderGroup, folderArtifact] =
    /maven\/([^/]+)\/([^/]+)\/pom\.properties$/.exec(path) ?? [];
  const group = properties.get('groupId') ?? folderGroup;
  const artifact = properties.get('artifactId') ?? folderArtifact;
  const version = properties.get('version');
  if (!artifact || !version) return [];

  return [mavenPackage(group, artifact, version)];
}

/**
 * The version from the manifest (or else the file name). The artifact is the file name's when
 * the file is named <artifactId>-<version>, as build tools name it; else the first title or
 * symbolic name that is a single word: titles are often display names ("Apache Commons Text"),
 * which no artifact id is.
 */
function manifestPackage(
  manifest: Map<string, string>,
  fileName: string,
): FoundPackage | undefined {
  const named = splitFileName(fileName);
  const version = [
    manifest.get('implementation-version'),
    manifest.get('bundle-version'),
    manifest.get('specification-version'),
    named?.version,
  ].find((value) => value !== undefined && value !== '');
  if (!version) return undefined;

  const artifact =
    [
      named?.artifact,
      manifest.get('implementation-title'),
      manifest.get('bundle-symbolicname')?.split(';')[0]?.trim(),
      manifest.get('specification-title'),
    ].find(isToken) ?? stemOf(fileName);
  const group = manifest.get('implementation-vendor-id');

  return mavenPackage(isToken(group) ? group : undefined, artifact, version);
}

function fileNamePackage(fileName: string): FoundPackage | undefined {
  const named = splitFileName(fileName);

  return named && mavenPackage(undefined, named.artifact, named.version);
}

function mavenPackage(group: string | undefined, artifact: string, version: string): FoundPackage {
  return {
    type: 'maven',
    name: group ? `${group}:${artifact}` : artifact,
    version,
    licenses: [],
  };
}

/**
 * "log4j-core-2.14.1.jar" → log4j-core, 2.14.1; "guava-31.1-jre.jar" → guava, 31.1-jre;
 * "log4j-1.2-api-2.17.1.jar" → log4j-1.2-api, 2.17.1. The version starts at the last
 * hyphen-separated part that starts with a digit: qualifiers after it (jre, SNAPSHOT, Final)
 * do not, and artifact ids may contain numbers.
 */
export function splitFileName(fileName: string): { artifact: string; version: string } | undefined {
  const match = /^(.+)-(\d[^-]*(?:-[^\d-][^-]*)*)$/.exec(stemOf(fileName));

  return match ? { artifact: match[1] as string, version: match[2] as string } : undefined;
}

function stemOf(fileName: string): string {
  return fileName.replace(/\.[A-Za-z]+$/, '');
}

/** Artifact ids, groups and symbolic names are single words; titles often are not. */
function isToken(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !/\s/.test(value);
}

/**
 * Java properties (java.util.Properties): `key=value`, `key: value` or `key value`, comments
 * starting with # or !. Maven writes plain ASCII pairs; escapes and continued lines, which it
 * never writes, are taken literally.
 */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;

    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) properties.set(match[1] as string, (match[2] as string).trim());
  }

  return properties;
}

/**
 * The manifest's main section: "Name: value" lines up to the first empty line. Lines are at
 * most 72 bytes, so a long value goes on over lines that start with one space, which is not
 * part of the value.
 */
export function parseManifest(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;

  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''}${line.slice(1)}`);
      continue;
    }

    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }

  return headers;
}
