// The package inventory of one image: read (or recall) each layer's record, merge them into the
// run-time view, then turn the package files that survive into InventoryPackages with purls,
// licences, owned files and the layer that introduced them.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { InventoryPackage, OperatingSystem } from '../model.js';
import { analysers, debianDetails, detectOs } from './analysers/index.js';
import type { LayerCache } from './cache.js';
import type { ContentScanner } from './content-scanner.js';
import type { MergedFilesystem } from './filesystem.js';
import { readLayer } from './layer-reader.js';
import { identityOf, mergeLayers, type MergedImage } from './merge.js';
import { displayPath } from './paths.js';
import { purlOf } from './purl.js';
import {
  defaultLimits,
  type FoundPackage,
  type InventoryLimits,
  type InventoryProblem,
  type LayerRecord,
} from './types.js';

/** Changes whenever the reader or an analyser would put something else in a record. */
const RECORD_VERSION = 3;

/** Opens a blob by digest: Berth's BlobStore, an OCI layout directory, a remote registry. */
export type OpenBlob = (digest: string) => Promise<Readable>;

export interface InventoryOptions {
  /** The image's layer digests, bottom first, as the manifest lists them. */
  layers: readonly string[];
  openBlob: OpenBlob;
  cache?: LayerCache;
  limits?: Partial<InventoryLimits>;
  /** Scanners that read every regular file of every layer they want (secrets). */
  contentScanners?: readonly ContentScanner[];
  signal?: AbortSignal;
}

export interface LayerSummary {
  digest: string;
  /** The record came from the cache; the blob was not read. */
  fromCache: boolean;
  /** Read to its end; problems say what is missing otherwise. */
  complete: boolean;
  entries: number;
  /** Uncompressed bytes read (0 when from the cache: the count is the reading's). */
  bytes: number;
}

/** What a content scanner found, placed in the image. */
export interface ImageContentFinding {
  scanner: string;
  ruleId: string;
  /** Absolute path ("/app/.env"). */
  path: string;
  line: number;
  /** Masked by the scanner. */
  match: string;
  /** The layer whose file holds the finding. */
  layerDigest: string;
  /**
   * The image no longer shows the file as this layer wrote it: a later layer deleted it, or
   * wrote another file in its place. The layer's blob still holds it.
   */
  removedLater?: 'deleted' | 'replaced';
}

export interface ImageInventory {
  os?: OperatingSystem;
  packages: InventoryPackage[];
  layers: LayerSummary[];
  /** In every layer, deleted or not, bottom layer first; empty without content scanners. */
  contentFindings: ImageContentFinding[];
  problems: InventoryProblem[];
}

export async function analyseImage(options: InventoryOptions): Promise<ImageInventory> {
  const limits = withDefaults(options.limits);
  const loaded = await loadRecords(options, limits);
  const records = loaded.map(({ record }) => record);

  const merged = mergeLayers(records);
  const os = detectOs(merged.view);
  const packages = composePackages(merged, os, options.layers);

  return {
    ...(os && { os }),
    packages,
    layers: loaded.map(({ record, fromCache }) => ({
      digest: record.digest,
      fromCache,
      complete: record.complete,
      entries: record.entries.length,
      bytes: fromCache ? 0 : record.bytes,
    })),
    contentFindings: records.flatMap((record, layer) => placeFindings(record, layer, merged.view)),
    problems: records.flatMap((record) => [...record.problems, ...partlyReadFiles(record)]),
  };
}

/** Files an analyser read only in part: what it found stands, and what it missed is said. */
function partlyReadFiles(record: LayerRecord): InventoryProblem[] {
  return record.facts.flatMap(({ path, analyser, fact }) =>
    fact.kind === 'packages' && fact.problems
      ? fact.problems.map((detail) => ({
          kind: 'file-unreadable' as const,
          layerDigest: record.digest,
          path: displayPath(path),
          detail: `${analyser}: ${detail}`,
        }))
      : [],
  );
}

/** A layer's content findings, each said to be gone when the merged image no longer has it. */
function placeFindings(
  record: LayerRecord,
  layer: number,
  view: MergedFilesystem,
): ImageContentFinding[] {
  return record.contentFindings.map((finding) => {
    const removedLater = view.isFileFrom(finding.path, layer)
      ? undefined
      : view.lookup(finding.path)
        ? ('replaced' as const)
        : ('deleted' as const);

    return {
      ...finding,
      path: displayPath(finding.path),
      layerDigest: record.digest,
      ...(removedLater && { removedLater }),
    };
  });
}

interface LoadedRecord {
  record: LayerRecord;
  fromCache: boolean;
}

/** Loads every layer's record, `limits.concurrency` at a time, keeping the layer order. */
async function loadRecords(
  options: InventoryOptions,
  limits: InventoryLimits,
): Promise<LoadedRecord[]> {
  const loaded: LoadedRecord[] = [];
  let next = 0;
  let entries = 0;

  const worker = async (): Promise<void> => {
    while (next < options.layers.length) {
      const index = next++;
      // The image's entry budget is shared: a layer gets what earlier layers left of it.
      const left = Math.max(0, limits.maxImageEntries - entries);
      const budget = { ...limits, maxLayerEntries: Math.min(limits.maxLayerEntries, left) };
      const result = await loadRecord(options.layers[index] as string, options, limits, budget);
      entries += result.record.entries.length;
      loaded[index] = result;
    }
  };
  const workers = Math.max(1, Math.min(limits.concurrency, options.layers.length));
  await Promise.all(Array.from({ length: workers }, worker));

  return loaded;
}

/**
 * One layer's record: from the cache, or read within `budget` (the limits, with what is left of
 * the image's entry budget). A read cut short by the budget is incomplete, so never cached, and
 * the cache key names the layer's own limits.
 */
async function loadRecord(
  digest: string,
  options: InventoryOptions,
  limits: InventoryLimits,
  budget: InventoryLimits,
): Promise<LoadedRecord> {
  const key = cacheKey(digest, limits, options.contentScanners);
  const cached = await options.cache?.get(key);
  if (cached) return { record: cached, fromCache: true };

  let blob: Readable;
  try {
    blob = await options.openBlob(digest);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;

    return { record: missingLayer(digest, error as Error), fromCache: false };
  }

  const record = await readLayer(blob, {
    digest,
    analysers,
    contentScanners: options.contentScanners,
    limits: budget,
    signal: options.signal,
  });
  // A layer that broke off might read whole next time (a network hiccup); only whole reads are
  // worth remembering.
  if (record.complete) await options.cache?.set(key, record);

  return { record, fromCache: false };
}

/** Records depend on the layer, the analysers, the content scanners and the limits. */
function cacheKey(
  digest: string,
  limits: InventoryLimits,
  contentScanners: readonly ContentScanner[] = [],
): string {
  return `inventory/${inventoryVersion(limits, contentScanners)}/${digest}`;
}

/**
 * Names what a reading of a layer depends on besides its bytes: the reader's record format,
 * the analysers, the content scanners (with their versions) and the limits. A stored
 * inventory made under another version is stale.
 */
export function inventoryVersion(
  limits: Partial<InventoryLimits> = {},
  contentScanners: readonly ContentScanner[] = [],
): string {
  const shaping = { ...withDefaults(limits), concurrency: undefined };
  const setup = JSON.stringify({
    shaping,
    analysers: analysers.map((analyser) => analyser.id),
    scanners: contentScanners.map((scanner) => `${scanner.id}@${scanner.version}`),
  });
  const fingerprint = createHash('sha256').update(setup).digest('hex').slice(0, 16);

  return `v${RECORD_VERSION}/${fingerprint}`;
}

function missingLayer(digest: string, error: Error): LayerRecord {
  return {
    digest,
    entries: [],
    whiteouts: [],
    opaqueDirs: [],
    facts: [],
    contentFindings: [],
    problems: [{ kind: 'layer-missing', layerDigest: digest, detail: error.message }],
    complete: false,
    bytes: 0,
  };
}

const OS_TYPES = new Set<FoundPackage['type']>(['deb', 'apk', 'rpm']);

/**
 * One InventoryPackage per package visible at the end. An OS package listed by two databases
 * (status and status.d) counts once; a language package inside files an OS package installed
 * (Debian's python3-* egg-info, say) is the OS package's business and is left out, because
 * matching it against language advisories reports fixes the distribution back-ported.
 */
function composePackages(
  merged: MergedImage,
  os: OperatingSystem | undefined,
  layers: readonly string[],
): InventoryPackage[] {
  const byIdentity = new Map<string, InventoryPackage>();
  const owned = new Set<string>();

  for (const file of merged.packageFiles) {
    for (const found of file.packages) {
      const identity = identityOf(found, file.path);
      if (byIdentity.has(identity)) continue;

      const layer = layers[merged.introducedIn(found, file.path)] ?? '';
      const item = inventoryPackage(found, file.path, layer, merged.view, os);
      for (const path of item.files ?? []) owned.add(path);
      byIdentity.set(identity, item);
    }
  }

  return [...byIdentity.values()]
    .filter((item) => OS_TYPES.has(item.type) || !owned.has(item.location))
    .sort(byTypeNameVersion);
}

function inventoryPackage(
  found: FoundPackage,
  path: string,
  layerDigest: string,
  view: MergedFilesystem,
  os: OperatingSystem | undefined,
): InventoryPackage {
  const detailed = found.type === 'deb' ? { ...found, ...debianDetails(found, view) } : found;
  const files = detailed.files && presentFiles(detailed.files, view);

  return {
    type: found.type,
    name: found.name,
    version: found.version,
    ...(found.sourceName !== undefined && { sourceName: found.sourceName }),
    ...(found.sourceVersion !== undefined && { sourceVersion: found.sourceVersion }),
    ...(found.arch !== undefined && { arch: found.arch }),
    licenses: detailed.licenses,
    purl: purlOf(found, os),
    location: displayPath(path),
    layerDigest,
    ...(files && { files }),
  };
}

/**
 * The files of a package list that the image still has, at the paths the image has them
 * (symlinked directories resolved), directories left out.
 */
function presentFiles(files: string[], view: MergedFilesystem): string[] {
  const present = new Set<string>();
  for (const file of files) {
    const found = view.lookup(file);
    if (found && found.type !== 'dir') present.add(displayPath(found.path));
  }

  return [...present];
}

function byTypeNameVersion(a: InventoryPackage, b: InventoryPackage): number {
  return (
    compare(a.type, b.type) ||
    compare(a.name, b.name) ||
    compare(a.version, b.version) ||
    compare(a.location, b.location)
  );
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function withDefaults(limits: Partial<InventoryLimits> = {}): InventoryLimits {
  return {
    ...defaultLimits,
    ...limits,
    maxFileBytes: { ...defaultLimits.maxFileBytes, ...limits.maxFileBytes },
  };
}
