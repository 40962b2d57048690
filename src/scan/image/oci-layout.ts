import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ImageSourceError } from './errors.js';
import type { ImageSource, ResolvedImage } from './image.js';
import { MAX_MANIFEST_BYTES, resolveManifest, type ManifestReader } from './manifests.js';
import type { Platform } from './platform.js';
import { readAll, verifiedStream } from './verify.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexEntry {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
}

/**
 * An OCI image layout directory (image-spec image-layout.md): index.json names the images,
 * by the `org.opencontainers.image.ref.name` annotation when there are several, and blobs
 * live at blobs/<algorithm>/<hex>.
 */
export class OciLayoutSource implements ImageSource {
  constructor(
    private readonly dir: string,
    private readonly tag: string | undefined,
    private readonly reference: string,
  ) {}

  async resolve(platform: Platform): Promise<ResolvedImage> {
    const entry = await this.entry();
    const reader: ManifestReader = {
      manifest: async (digest) => ({
        bytes: await this.readBlob(digest),
        mediaType: digest === entry.digest ? entry.mediaType : undefined,
      }),
      blob: (digest) => this.readBlob(digest),
    };
    const image = await resolveManifest(reader, entry.digest, platform);
    const tag = this.tag ?? entry.annotations?.[REF_NAME];

    return {
      reference: this.reference,
      name: path.basename(this.dir),
      ...(tag && { tag }),
      ...image,
    };
  }

  async openBlob(digest: string): Promise<Readable> {
    const file = await this.blobFile(digest);

    return verifiedStream(digest, createReadStream(file));
  }

  async close(): Promise<void> {}

  private async entry(): Promise<IndexEntry> {
    const entries = await this.indexEntries();
    const tagged = this.tag
      ? entries.filter((e) => e.annotations?.[REF_NAME] === this.tag)
      : entries;
    if (tagged.length === 1) return tagged[0]!;

    const tags = entries.flatMap((e) => e.annotations?.[REF_NAME] ?? []);
    if (this.tag) {
      throw new ImageSourceError(
        'not-found',
        `${this.dir} has no image tagged "${this.tag}"${tags.length ? `; it has ${tags.join(', ')}` : ''}`,
      );
    }
    throw new ImageSourceError(
      tagged.length === 0 ? 'not-found' : 'reference',
      tagged.length === 0
        ? `${this.dir} holds no image`
        : `${this.dir} holds ${tagged.length} images; name one as oci:${this.dir}:TAG (${tags.join(', ')})`,
    );
  }

  private async indexEntries(): Promise<IndexEntry[]> {
    const file = path.join(this.dir, 'index.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ImageSourceError(
        'not-found',
        `${this.dir} is not an OCI image layout (no index.json)`,
        {
          cause: error,
        },
      );
    }

    try {
      const index = JSON.parse(text) as { manifests?: IndexEntry[] };
      if (!Array.isArray(index.manifests)) throw new Error('no manifests');
      return index.manifests;
    } catch (error) {
      throw new ImageSourceError('corrupt', `${file} is not an OCI image index`, { cause: error });
    }
  }

  private async readBlob(digest: string): Promise<Buffer> {
    const stream = await this.openBlob(digest);

    return readAll(stream, `blob ${digest}`, MAX_MANIFEST_BYTES);
  }

  private async blobFile(digest: string): Promise<string> {
    const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
    if (!match) throw new ImageSourceError('corrupt', `"${digest}" is not a digest`);

    const file = path.join(this.dir, 'blobs', match[1]!, match[2]!);
    try {
      await stat(file);
    } catch (error) {
      throw new ImageSourceError('not-found', `${this.dir} has no blob ${digest}`, {
        cause: error,
      });
    }

    return file;
  }
}
