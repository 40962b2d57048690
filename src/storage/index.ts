import { FilesystemBlobStore } from './filesystem.js';
import type { BlobStore } from './blobstore.js';

export * from './blobstore.js';

export interface StorageOptions {
  driver: 'filesystem';
  root: string;
}

/** Opens the configured blob store driver. */
export async function openBlobStore(options: StorageOptions): Promise<BlobStore> {
  switch (options.driver) {
    case 'filesystem':
      return FilesystemBlobStore.open(options.root);
  }
}
