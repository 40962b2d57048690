// Merges layer records into the run-time view and decides which layer introduced each package.
//
// Attribution rule: a package is attributed to the lowest layer L such that, after every layer
// from L to the top, the package was visible in the merged view. "The package" means, for OS
// packages, the same type, name, version and architecture in any of the image's package
// databases (so a dpkg status file rewritten by a later `apt-get install` keeps its older
// packages attributed to the layer that installed them, and a package moving between status
// and status.d files keeps its layer); for language packages, the same name and version at the
// same path. Consequences:
//   - an upgraded package belongs to the layer that upgraded it (its version changed there);
//   - a package removed in layer M and installed again, identical, in layer N belongs to N;
//   - a package whose database file was deleted or made unreadable in between starts again.
// This is stricter than "first layer that ever mentions it", which credits a reinstalled
// package to a layer whose copy of it the image no longer shows.

import { MergedFilesystem } from './filesystem.js';
import type { FoundPackage, LayerRecord } from './types.js';

/** A file that lists packages, as visible in the final view. */
export interface PackageFile {
  path: string;
  layer: number;
  packages: FoundPackage[];
}

export interface MergedImage {
  view: MergedFilesystem;
  packageFiles: PackageFile[];
  /** Index of the layer that introduced a package found in `path`. */
  introducedIn(found: FoundPackage, path: string): number;
}

const OS_TYPES = new Set<FoundPackage['type']>(['deb', 'apk', 'rpm']);

export function mergeLayers(records: readonly LayerRecord[]): MergedImage {
  const view = new MergedFilesystem();
  const visible = new Map<string, PackageFile>();
  let introduced = new Map<string, number>();

  records.forEach((record, layer) => {
    view.apply(record);
    const changed = updateVisible(visible, view, record, layer);
    if (changed) introduced = carryForward(introduced, visible.values(), layer);
  });

  return {
    view,
    packageFiles: [...visible.values()],
    introducedIn: (found, path) => introduced.get(identityOf(found, path)) ?? records.length - 1,
  };
}

/** Drops package files the layer hid or replaced, adds the ones it wrote; true on a change. */
function updateVisible(
  visible: Map<string, PackageFile>,
  view: MergedFilesystem,
  record: LayerRecord,
  layer: number,
): boolean {
  let changed = false;
  for (const [path, file] of visible) {
    if (view.isFileFrom(path, file.layer)) continue;
    visible.delete(path);
    changed = true;
  }

  for (const { path, fact } of record.facts) {
    if (fact.kind !== 'packages' || !view.isFileFrom(path, layer)) continue;
    visible.set(path, { path, layer, packages: fact.packages });
    changed = true;
  }

  return changed;
}

/** Packages visible now keep the layer they were introduced in; new ones get this layer. */
function carryForward(
  before: Map<string, number>,
  files: Iterable<PackageFile>,
  layer: number,
): Map<string, number> {
  const after = new Map<string, number>();
  for (const file of files) {
    for (const found of file.packages) {
      const identity = identityOf(found, file.path);
      after.set(identity, before.get(identity) ?? layer);
    }
  }

  return after;
}

/** What makes two sightings the same package (see the attribution rule above). */
export function identityOf(found: FoundPackage, path: string): string {
  const where = OS_TYPES.has(found.type) ? '' : path;

  return [found.type, found.name, found.version, found.arch ?? '', where].join('\0');
}
