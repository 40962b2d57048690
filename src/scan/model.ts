// The vocabulary shared by the image analyser's parts: the inventory produces packages, the
// advisory database describes vulnerable version ranges, the matcher joins the two.

/** Where a package comes from: an OS distribution's package manager or a language ecosystem. */
export type PackageType =
  | 'deb'
  | 'apk'
  | 'rpm'
  | 'npm'
  | 'pypi'
  | 'golang'
  | 'maven'
  | 'gem'
  | 'composer'
  | 'cargo'
  | 'nuget';

/** How versions of a package type are ordered. */
export type VersionScheme =
  'dpkg' | 'apk' | 'rpm' | 'semver' | 'pep440' | 'maven' | 'rubygems' | 'composer' | 'nuget';

export const VERSION_SCHEME: Record<PackageType, VersionScheme> = {
  deb: 'dpkg',
  apk: 'apk',
  rpm: 'rpm',
  npm: 'semver',
  pypi: 'pep440',
  golang: 'semver',
  maven: 'maven',
  gem: 'rubygems',
  composer: 'composer',
  cargo: 'semver',
  nuget: 'nuget',
};

/** The operating system an image's root filesystem declares (os-release and friends). */
export interface OperatingSystem {
  /** os-release ID: debian, ubuntu, alpine, rhel, rocky, almalinux, fedora, … */
  id: string;
  /** os-release VERSION_ID: "12", "3.20.3", "9.4". */
  versionId?: string;
  /** os-release VERSION_CODENAME: "bookworm". */
  codename?: string;
  prettyName?: string;
}

/** One package found in an image. */
export interface InventoryPackage {
  type: PackageType;
  name: string;
  version: string;
  /** OS packages: the source package and its version, which distro advisories are keyed by. */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** Licence expressions or names as the package declares them. */
  licenses: string[];
  /** Package URL (purl spec), e.g. pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12 */
  purl: string;
  /** Path of the file the package was read from (database, manifest, lock file, binary). */
  location: string;
  /** Digest of the layer (compressed blob digest) that introduced this package as seen at run time. */
  layerDigest: string;
  /**
   * OS packages: the files the package manager says the package installed and the image still
   * has, as absolute paths with symlinked directories resolved ("/usr/bin/ls" for dpkg's
   * "/bin/ls" in a merged-/usr image). Language packages found among them are not reported.
   */
  files?: string[];
}
