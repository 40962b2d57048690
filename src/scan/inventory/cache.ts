// Layer records by key, so that a layer shared by many images (a base image, above all) is
// read once. A record depends only on the layer's own bytes, the analysers, the content
// scanners and the limits; the key names all four. Whiteouts and opaque markers are stored in the record as data and are
// applied only when an image's layers are merged, so a base layer's record stays valid under
// any upper layers: an upper layer that deletes /var/lib/dpkg/status hides the base's facts
// about it in that image only.

import type { LayerRecord } from './types.js';

export interface LayerCache {
  get(key: string): Promise<LayerRecord | undefined>;
  set(key: string, record: LayerRecord): Promise<void>;
}

/**
 * Keeps records in memory, least recently used first out, within a budget counted in indexed
 * paths, facts and content findings (the bulk of a record's size).
 */
export class MemoryLayerCache implements LayerCache {
  private readonly records = new Map<string, LayerRecord>();
  private weight = 0;

  constructor(private readonly maxWeight = 2_000_000) {}

  get(key: string): Promise<LayerRecord | undefined> {
    const record = this.records.get(key);
    if (record) {
      this.records.delete(key);
      this.records.set(key, record);
    }

    return Promise.resolve(record);
  }

  set(key: string, record: LayerRecord): Promise<void> {
    this.delete(key);
    this.records.set(key, record);
    this.weight += weightOf(record);

    for (const oldest of this.records.keys()) {
      if (this.weight <= this.maxWeight || oldest === key) break;
      this.delete(oldest);
    }

    return Promise.resolve();
  }

  get size(): number {
    return this.records.size;
  }

  private delete(key: string): void {
    const record = this.records.get(key);
    if (!record) return;

    this.records.delete(key);
    this.weight -= weightOf(record);
  }
}

function weightOf(record: LayerRecord): number {
  return record.entries.length + record.facts.length + record.contentFindings.length + 1;
}
