// Layer readings kept in the metadata database, behind a memory cache: an image on a base any
// earlier image used reads only its own layers, also after a restart and on another node.
// Readings are keyed by the analyser's key (its version and the layer digest), so a new
// analyser version reads layers again rather than trusting old readings.

import type { ScanStore } from '../metadata/index.js';
import { MemoryLayerCache, type LayerCache, type LayerRecord } from '../scan/inventory/index.js';
import { decodeDocument, encodeDocument } from './documents.js';

export class StoredLayerCache implements LayerCache {
  private readonly memory = new MemoryLayerCache();

  constructor(private readonly scans: ScanStore) {}

  async get(key: string): Promise<LayerRecord | undefined> {
    const remembered = await this.memory.get(key);
    if (remembered) return remembered;

    const stored = await this.scans.getLayer(key);
    if (!stored) return undefined;

    const record = await decodeDocument<LayerRecord>(stored);
    await this.memory.set(key, record);
    return record;
  }

  async set(key: string, record: LayerRecord): Promise<void> {
    await this.memory.set(key, record);
    await this.scans.putLayer(key, record.digest, await encodeDocument(record));
  }
}
