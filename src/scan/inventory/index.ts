// The package inventory of an image's layers: what is installed as the image is seen at run
// time, and which layer introduced each package. See docs/scanning-inventory.md.

export { analyseImage } from './inventory.js';
export type { ImageInventory, InventoryOptions, LayerSummary, OpenBlob } from './inventory.js';
export { MemoryLayerCache } from './cache.js';
export type { LayerCache } from './cache.js';
export { defaultLimits } from './types.js';
export type { InventoryLimits, InventoryProblem, LayerRecord, ProblemKind } from './types.js';
