import type { OperatingSystem, PackageType } from '../model.js';

// How ecosystems, distributions, releases and package names are spelled in the store, so that
// an importer and a lookup always agree.

/** The OSV ecosystem that holds advisories for each language package type. */
export const ECOSYSTEM_OF: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  gem: 'RubyGems',
  composer: 'Packagist',
  cargo: 'crates.io',
  nuget: 'NuGet',
};

/** OSV's distribution ecosystems, by the os-release id images declare. */
const distributionIds: Record<string, string> = {
  Debian: 'debian',
  Alpine: 'alpine',
  Ubuntu: 'ubuntu',
  AlmaLinux: 'almalinux',
  'Rocky Linux': 'rocky',
  Wolfi: 'wolfi',
  Chainguard: 'chainguard',
};

/**
 * Debian releases by major version. The tracker names releases by codename and so does the
 * store; OSV's `Debian:12` and images that only declare VERSION_ID are mapped with this table
 * (extended at import time by the tracker's distributions.json when it is given).
 */
export const debianCodenames: Record<string, string> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
  '15': 'duke',
};

/**
 * Splits an OSV ecosystem into the store's (ecosystem, release): `Debian:12` becomes
 * (debian, bookworm), `Alpine:v3.20` (alpine, 3.20), `npm` (npm, "").
 */
export function splitEcosystem(osvEcosystem: string): { ecosystem: string; release: string } {
  const colon = osvEcosystem.indexOf(':');
  const base = colon < 0 ? osvEcosystem : osvEcosystem.slice(0, colon);
  const suffix = colon < 0 ? '' : osvEcosystem.slice(colon + 1);
  const distribution = distributionIds[base];
  if (!distribution) return { ecosystem: osvEcosystem, release: '' };

  return { ecosystem: distribution, release: releaseFromSuffix(distribution, suffix) };
}

function releaseFromSuffix(distribution: string, suffix: string): string {
  if (distribution === 'debian') return debianCodenames[suffix] ?? suffix;
  if (distribution === 'alpine') return alpineRelease(suffix);
  if (distribution === 'ubuntu') return suffix.replace(/:LTS$/, '');

  return suffix;
}

/** Alpine branches as `3.20` (from `v3.20` or an os-release `3.20.3`), or `edge`. */
export function alpineRelease(version: string): string {
  const match = /^v?(\d+)\.(\d+)/.exec(version);

  return match ? `${match[1]}.${match[2]}` : version;
}

/**
 * The (distribution, release) an image's advisories are filed under, or undefined when its
 * os-release does not say enough.
 */
export function distributionOf(
  os: OperatingSystem,
): { distro: string; release: string } | undefined {
  if (os.id === 'debian') {
    const release = os.codename ?? debianCodenames[(os.versionId ?? '').split('.')[0] ?? ''];
    return release ? { distro: 'debian', release } : undefined;
  }
  // Rolling distributions: OSV files their advisories under the bare ecosystem name.
  if (os.id === 'wolfi' || os.id === 'chainguard') return { distro: os.id, release: '' };
  if (!os.versionId) return undefined;
  if (os.id === 'alpine') return { distro: 'alpine', release: alpineRelease(os.versionId) };
  // AlmaLinux:9 and Rocky Linux:9 cover every 9.x point release.
  if (os.id === 'almalinux' || os.id === 'rocky') {
    return { distro: os.id, release: os.versionId.split('.')[0] ?? os.versionId };
  }

  return { distro: os.id, release: os.versionId };
}

/**
 * The name a package is looked up by. Registries that treat names case-insensitively are
 * lower-cased (advisory data sometimes capitalises them: GHSA-8hc4-vh64-cxmj lists "Axios");
 * PyPI names are normalised as PEP 503 says. Go, Maven and RubyGems names are case-sensitive.
 */
export function packageKey(ecosystem: string, name: string): string {
  switch (ecosystem) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'npm':
    case 'NuGet':
    case 'Packagist':
    case 'crates.io':
    case 'Pub':
    case 'Hex':
      return name.toLowerCase();
    default:
      return name;
  }
}
