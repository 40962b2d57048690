import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openMetadataStore } from '../../../src/metadata/index.js';
import { metadataSuite } from './metadata-suite.js';

metadataSuite('sqlite', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-sqlite-'));
  const store = await openMetadataStore({ driver: 'sqlite', path: path.join(dir, 'berth.db') });

  return {
    store,
    async dispose() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
