// One scan of one image: resolve the reference, read the inventory of its layers, match it
// against the advisory database. The registry's scan jobs and `berth scan` both run this.

import { PassThrough, type Readable } from 'node:stream';
import type { ImageSource, Platform, ResolvedImage } from './image/index.js';
import {
  analyseImage,
  type ImageInventory,
  type InventoryLimits,
  type LayerCache,
} from './inventory/index.js';
import {
  matchInventory,
  type AdvisoryLookup,
  type Finding,
  type MatchProblem,
} from './match/index.js';

export interface ScanOptions {
  platform: Platform;
  /** The advisory database; without it only the inventory is taken (for SBOMs). */
  advisories?: AdvisoryLookup;
  cache?: LayerCache;
  limits?: Partial<InventoryLimits>;
  /** Called as layer bytes are read: bytes so far, and the total the manifest announces. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ScanReport {
  image: ResolvedImage;
  inventory: ImageInventory;
  /** Empty when no advisory database was given. */
  findings: Finding[];
  matchProblems: MatchProblem[];
  /** Whether the inventory was matched against advisories at all. */
  matched: boolean;
}

export async function scanImage(source: ImageSource, options: ScanOptions): Promise<ScanReport> {
  const image = await source.resolve(options.platform);
  const total = image.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  let done = 0;
  const counted = (blob: Readable): Readable => {
    if (!options.onProgress) return blob;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => options.onProgress!((done += chunk.length), total));
    blob.on('error', (error) => counter.destroy(error));
    return blob.pipe(counter);
  };

  const inventory = await analyseImage({
    layers: image.layers.map((layer) => layer.digest),
    openBlob: async (digest) => counted(await source.openBlob(digest)),
    cache: options.cache,
    limits: options.limits,
    signal: options.signal,
  });
  options.onProgress?.(total, total);

  if (!options.advisories) {
    return { image, inventory, findings: [], matchProblems: [], matched: false };
  }
  const { findings, problems } = await matchInventory(inventory, options.advisories);

  return { image, inventory, findings, matchProblems: problems, matched: true };
}
