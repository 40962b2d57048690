// An image the registry itself holds, as the analyser reads images: manifests, configs and
// layers straight from the blob store. Blobs were verified against their digests when they
// were pushed, so they are not hashed again here.

import type { Readable } from 'node:stream';
import {
  hostPlatform,
  resolveManifest,
  type ImageSource,
  type ManifestReader,
  type Platform,
  type ResolvedImage,
} from '../scan/image/index.js';
import type { BlobStore } from '../storage/index.js';

export class StoredImageSource implements ImageSource {
  constructor(
    private readonly store: BlobStore,
    private readonly repository: string,
    private readonly digest: string,
  ) {}

  /** The digest names one image manifest; the platform only matters for an index. */
  async resolve(platform: Platform = hostPlatform()): Promise<ResolvedImage> {
    const reader: ManifestReader = {
      manifest: async (digest) => ({ bytes: await this.store.readAll(digest) }),
      blob: (digest) => this.store.readAll(digest),
    };
    const image = await resolveManifest(reader, this.digest, platform);

    return { reference: `${this.repository}@${this.digest}`, name: this.repository, ...image };
  }

  openBlob(digest: string): Promise<Readable> {
    return this.store.read(digest);
  }

  async close(): Promise<void> {}
}
