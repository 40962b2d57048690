// Package URLs (purl spec, ECMA-427) for found packages. Per type:
//   deb  pkg:deb/<os id>/<name>@<version>?arch=…&distro=<id>-<version id>  (epoch in version)
//   apk  pkg:apk/<os id>/<name>@<version>?arch=…&distro=…
//   rpm  pkg:rpm/<os id>/<name>@<version>-<release>?arch=…&epoch=…&distro=…  (epoch qualifier)
//   npm  pkg:npm/%40scope/name@…      pypi pkg:pypi/<normalised name>@…
//   golang pkg:golang/<module path up to the last slash>/<last segment>@v…

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
  const purl = new PackageURL(found.type, namespace, name, version, qualifiers(found, os));

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

  if (found.type === 'npm' || found.type === 'golang') {
    const slash = found.name.lastIndexOf('/');
    if (slash > 0) return [found.name.slice(0, slash), found.name.slice(slash + 1)];
  }

  return [undefined, found.name];
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
