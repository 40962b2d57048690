// Package URLs (purl spec, ECMA-427) for found packages. Per type:
//   deb  pkg:deb/<os id>/<name>@<version>?arch=…&distro=<id>-<version id>  (epoch in version)
//   apk  pkg:apk/<os id>/<name>@<version>?arch=…&distro=…
//   rpm  pkg:rpm/<os id>/<name>@<version>-<release>?arch=…&epoch=…&distro=…  (epoch qualifier)
//   npm  pkg:npm/%40scope/name@…      pypi pkg:pypi/<normalised name>@…
//   golang pkg:golang/<module path up to the last slash>/<last segment>@v…
//   maven pkg:maven/<groupId>/<artifactId>@…  (a jar that names no group: pkg:generic/<artifactId>)
//   composer pkg:composer/<vendor>/<name>@…   gem, cargo, nuget: pkg:<type>/<name>@…

import { PackageURL } from 'packageurl-js';
import type { OperatingSystem } from '../model.js';
import type { FoundPackage } from './types.js';

const OS_DEFAULT_NAMESPACE: Partial<Record<FoundPackage['type'], string>> = {
  deb: 'debian',
  apk: 'alpine',
  rpm: 'redhat',
};

export function purlOf(found: FoundPackage, os: OperatingSystem | undefined): string {
  const [namespace, name] = nameParts(found, os);
  const version = found.type === 'rpm' ? withoutEpoch(found.version) : found.version;
  const purl = new PackageURL(purlType(found), namespace, name, version, qualifiers(found, os));

  // The spec requires '+' to be percent-encoded ("2.36-9%2Bdeb12u4"); packageurl-js 2.0 leaves
  // it bare. '+' is never purl syntax, so encoding every one of them is exact.
  return purl.toString().replaceAll('+', '%2B');
}

function nameParts(
  found: FoundPackage,
  os: OperatingSystem | undefined,
): [string | undefined, string] {
  const osNamespace = OS_DEFAULT_NAMESPACE[found.type];
  if (osNamespace) return [os?.id ?? osNamespace, found.name];

  const separator = NAMESPACE_SEPARATOR[found.type];
  const at = separator ? found.name.lastIndexOf(separator) : -1;
  if (at > 0) return [found.name.slice(0, at), found.name.slice(at + 1)];

  return [undefined, found.name];
}

/** Where a name splits into the purl's namespace and name ("groupId:artifactId" for Maven). */
const NAMESPACE_SEPARATOR: Partial<Record<FoundPackage['type'], string>> = {
  npm: '/',
  golang: '/',
  composer: '/',
  maven: ':',
};

/**
 * Maven purls require the group. Guessing one for a jar that does not state it would make up
 * coordinates, so such a jar gets a generic purl: its name and version, and no claim to more.
 */
function purlType(found: FoundPackage): string {
  return found.type === 'maven' && !found.name.includes(':') ? 'generic' : found.type;
}

function qualifiers(
  found: FoundPackage,
  os: OperatingSystem | undefined,
): Record<string, string> | undefined {
  if (!OS_DEFAULT_NAMESPACE[found.type]) return undefined;

  const result: Record<string, string> = {};
  if (found.arch) result.arch = found.arch;
  if (found.epoch) result.epoch = String(found.epoch);
  if (os?.versionId) result.distro = `${os.id}-${os.versionId}`;

  return result;
}

function withoutEpoch(version: string): string {
  return version.replace(/^\d+:/, '');
}
