// The inventory's internal vocabulary: what one read of a layer produces (a LayerRecord, which
// is what the cache keeps), what analysers learn from single files (FileFacts), and what goes
// wrong along the way (InventoryProblems). Everything here is plain JSON so that a persistent
// cache can store it as is.

import type { PackageType } from '../model.js';

/** What a path is once the layer is applied; hard links count as files. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface LayerEntry {
  path: string;
  type: EntryType;
  /** Symlinks: the target as written in the tar header. */
  target?: string;
}

/** One analyser's reading of one file. */
export type FileFact =
  /** os-release style KEY=value pairs. */
  | { kind: 'os-release'; fields: Record<string, string> }
  /** A one-line release file (/etc/debian_version, /etc/alpine-release, /etc/redhat-release). */
  | { kind: 'release-line'; text: string }
  /**
   * A package database or manifest: dpkg status, apk installed, rpmdb, package.json, … Parts
   * of the file that could not be read while the rest could (a corrupt jar inside a war) are
   * listed in `problems` and reported as 'file-unreadable'.
   */
  | { kind: 'packages'; packages: FoundPackage[]; problems?: string[] }
  /** Files a package installed, as its package manager lists them (dpkg .list / .md5sums). */
  | { kind: 'file-list'; files: string[] }
  /** Licences a package declares outside its database (Debian copyright files). */
  | { kind: 'licenses'; licenses: string[] };

/** A package as one file describes it, before the image-wide view adds purl and layer. */
export interface FoundPackage {
  type: PackageType;
  name: string;
  version: string;
  /** purl namespace where the ecosystem has one: npm scope, Go module path prefix. */
  namespace?: string;
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** rpm: the epoch, which purls carry as a qualifier rather than in the version. */
  epoch?: number;
  licenses: string[];
  /** Files the package manager says the package installed (apk, rpm), normalised paths. */
  files?: string[];
}

export type ProblemKind =
  /** The blob could not be opened (absent foreign layer, storage error). */
  | 'layer-missing'
  /** Not gzip, zstd or tar. */
  | 'layer-format'
  /** Reading, decompression or tar parsing failed part way; what came before is kept. */
  | 'layer-unreadable'
  /** Stopped at a limit (uncompressed bytes, entry count). */
  | 'layer-limit'
  /** A name too long or too deep to index. */
  | 'path-rejected'
  /** A file an analyser wanted, over that analyser's size cap. */
  | 'file-too-large'
  /** A file an analyser wanted but could not parse. */
  | 'file-unreadable'
  /** A hard link to a file the analysers did not read, so its content is unknown. */
  | 'link-unresolved'
  /** Content scanners found more in the layer than its record keeps; the rest is left out. */
  | 'content-truncated';

export interface InventoryProblem {
  kind: ProblemKind;
  /** The layer's blob digest. */
  layerDigest: string;
  /** The path concerned, absolute ("/var/lib/dpkg/status"), when there is one. */
  path?: string;
  detail: string;
}

/**
 * What a content scanner found in a file: a secret, say. It never holds the secret itself, only
 * the masked form the scanner made of it.
 */
export interface ContentFinding {
  /** The content scanner's id ("secret"). */
  scanner: string;
  /** The scanner's rule that matched. */
  ruleId: string;
  /** Normalised path ("app/.env"). */
  path: string;
  /** 1-based line of the match. */
  line: number;
  /** The matched text, masked by the scanner. */
  match: string;
}

/** Everything the inventory keeps from one read of one layer; independent of other layers. */
export interface LayerRecord {
  digest: string;
  /** Every path the layer writes, in tar order; a later entry for a path replaces an earlier. */
  entries: LayerEntry[];
  /** Paths this layer deletes from the layers below (OCI `.wh.<name>`). */
  whiteouts: string[];
  /** Directories whose lower-layer content this layer hides (OCI `.wh..wh..opq`). */
  opaqueDirs: string[];
  /** What the analysers learnt from the files they asked for. */
  facts: { path: string; analyser: string; fact: FileFact }[];
  /** What content scanners found, in every regular file they read, in tar order. */
  contentFindings: ContentFinding[];
  problems: InventoryProblem[];
  /** True when the layer was read to its end; incomplete records are never cached. */
  complete: boolean;
  /** Uncompressed bytes read. */
  bytes: number;
}

export interface InventoryLimits {
  /** Uncompressed bytes read from one layer before giving up (decompression bombs). */
  maxLayerBytes: number;
  /** Tar entries indexed per layer. */
  maxLayerEntries: number;
  /**
   * Tar entries indexed in one image, all layers together: every path is held in memory while
   * the layers are merged, so this bounds the memory of a scan (about 0.5 GB a million).
   */
  maxImageEntries: number;
  maxPathBytes: number;
  maxPathDepth: number;
  /** Largest zstd window accepted; the decoder allocates the whole window up front. */
  maxZstdWindowBytes: number;
  /** Per-analyser caps on the file size it will read, by analyser id, over the defaults. */
  maxFileBytes: Record<string, number>;
  /** Layers read at the same time. */
  concurrency: number;
}

export const defaultLimits: InventoryLimits = {
  maxLayerBytes: 64 * 2 ** 30,
  maxLayerEntries: 1_000_000,
  maxImageEntries: 1_500_000,
  maxPathBytes: 4096,
  maxPathDepth: 256,
  maxZstdWindowBytes: 128 * 2 ** 20,
  maxFileBytes: {},
  concurrency: 2,
};
