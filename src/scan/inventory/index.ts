// The package inventory of an image's layers: what is installed as the image is seen at run
// time, and which layer introduced each package. See docs/scanning-inventory.md.

export { analyseImage, inventoryVersion } from './inventory.js';
export type {
  ImageContentFinding,
  ImageInventory,
  InventoryOptions,
  LayerSummary,
  OpenBlob,
} from './inventory.js';
export type { ContentHit, ContentScanner, ContentSink } from './content-scanner.js';
export type { FileInfo } from './analyser.js';
export { MemoryLayerCache } from './cache.js';
export type { LayerCache } from './cache.js';
export { defaultLimits } from './types.js';
export type {
  ContentFinding,
  InventoryLimits,
  InventoryProblem,
  LayerRecord,
  ProblemKind,
} from './types.js';
