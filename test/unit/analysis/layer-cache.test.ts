import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoredLayerCache } from '../../../src/analysis/layer-cache.js';
import { openMetadataStore, type MetadataStore } from '../../../src/metadata/index.js';
import type { LayerRecord } from '../../../src/scan/inventory/index.js';

let dir: string;
let store: MetadataStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-layer-cache-'));
  store = await openMetadataStore({ driver: 'sqlite', path: path.join(dir, 'berth.db') });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const record: LayerRecord = {
  digest: 'sha256:aa',
  entries: [{ path: 'etc/os-release', type: 'file' }],
  whiteouts: [],
  opaqueDirs: [],
  facts: [
    {
      path: 'etc/os-release',
      analyser: 'os-release',
      fact: { kind: 'os-release', fields: { ID: 'debian' } },
    },
  ],
  contentFindings: [],
  problems: [],
  complete: true,
  bytes: 512,
};

describe('StoredLayerCache', () => {
  it('gives a reading stored by one process to another (a restart, another node)', async () => {
    await new StoredLayerCache(store.scans).set('inventory/v3/x/sha256:aa', record);

    const other = new StoredLayerCache(store.scans);

    expect(await other.get('inventory/v3/x/sha256:aa')).toEqual(record);
    expect(await other.get('inventory/v4/x/sha256:aa')).toBeUndefined();
  });
});
