import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from './registry-api.js';
import type { Descriptor } from './registry-client.js';

const refName = 'org.opencontainers.image.ref.name';

/**
 * Reads an OCI image layout (image-spec "Image Layout"): what clients write when they pull into
 * a directory, and what scripts/build-test-images.sh produced.
 */
export class OciLayout {
  constructor(readonly dir: string) {}

  async index(): Promise<Manifest & { manifests: Descriptor[] }> {
    return JSON.parse(await readFile(path.join(this.dir, 'index.json'), 'utf8'));
  }

  /**
   * The digest index.json gives the image: the entry annotated with `tag`, or the only entry
   * when the client wrote no annotation.
   */
  async digest(tag?: string): Promise<string> {
    const { manifests } = await this.index();
    const tagged = manifests.filter((m) => tag === undefined || m.annotations?.[refName] === tag);
    const entry =
      tagged.length === 1 ? tagged[0] : manifests.length === 1 ? manifests[0] : undefined;
    if (!entry) throw new Error(`${this.dir}: no single index.json entry for tag ${tag}`);

    return entry.digest;
  }

  async json<T = Manifest>(digest: string): Promise<T> {
    return JSON.parse(await readFile(this.blobPath(digest), 'utf8')) as T;
  }

  /** Names of every blob file, sorted; these include manifests and configs. */
  async blobs(): Promise<string[]> {
    const files = await readdir(path.join(this.dir, 'blobs', 'sha256'));

    return files.map((file) => `sha256:${file}`).sort();
  }

  /** Like blobs(), after checking that every file hashes to its name. */
  async verifiedBlobs(): Promise<string[]> {
    const digests = await this.blobs();
    for (const digest of digests) {
      const actual = await sha256File(this.blobPath(digest));
      if (actual !== digest) throw new Error(`${this.dir}: blob ${digest} hashes to ${actual}`);
    }

    return digests;
  }

  blobPath(digest: string): string {
    const [algorithm = '', hex = ''] = digest.split(':');

    return path.join(this.dir, 'blobs', algorithm, hex);
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);

  return `sha256:${hash.digest('hex')}`;
}
