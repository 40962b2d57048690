import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ImageSourceError } from './errors.js';
import type { ImageSource, ResolvedImage } from './image.js';
import { MAX_MANIFEST_BYTES } from './manifests.js';
import type { Platform } from './platform.js';
import { indexTar, normalise, type TarEntry } from './tar-index.js';
import { verifiedStream } from './verify.js';

/** One image of a docker archive's manifest.json (the format of `docker save`). */
interface ArchiveImage {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface ArchiveConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
}

/**
 * A docker archive: a tar holding manifest.json, each image's config and its layers. Layers
 * are read in place from the tar. Archives hold one platform's image each, so the platform
 * asked for is not checked against it.
 */
export class DockerArchiveSource implements ImageSource {
  private handle?: FileHandle;
  private entries = new Map<string, TarEntry>();
  /** Paths in the archive of the layers and the config, by digest. */
  private readonly blobPaths = new Map<string, string>();

  constructor(
    private readonly file: string,
    private readonly image: string | undefined,
    private readonly reference: string,
  ) {}

  async resolve(_platform: Platform): Promise<ResolvedImage> {
    await this.openArchive();
    const chosen = this.choose(await this.json<ArchiveImage[]>('manifest.json'));
    const config = await this.json<ArchiveConfig>(chosen.Config);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== chosen.Layers.length) {
      throw new ImageSourceError(
        'corrupt',
        `${this.file}: the config's layers do not match manifest.json`,
      );
    }

    const layers = chosen.Layers.map((layerPath, i) => {
      const digest = blobDigest(layerPath) ?? diffIds[i]!;
      this.blobPaths.set(digest, normalise(layerPath));
      const size = this.entries.get(normalise(layerPath))?.size;
      return { digest, mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size };
    });
    const [name, tag] = splitTag(this.image ?? chosen.RepoTags?.[0] ?? path.basename(this.file));
    // The config is served by digest too: the config checks read it again.
    const configDigest =
      blobDigest(chosen.Config) ?? `sha256:${path.basename(chosen.Config, '.json')}`;
    this.blobPaths.set(configDigest, normalise(chosen.Config));

    return {
      reference: this.reference,
      name,
      ...(tag && { tag }),
      configDigest,
      platform: {
        os: config.os ?? 'linux',
        architecture: config.architecture ?? 'unknown',
        ...(config.variant && { variant: config.variant }),
      },
      layers,
      diffIds,
      ...(config.created && { created: config.created }),
    };
  }

  async openBlob(digest: string): Promise<Readable> {
    const entryPath = this.blobPaths.get(digest);
    const entry = entryPath === undefined ? undefined : this.entries.get(entryPath);
    if (!entry) throw new ImageSourceError('not-found', `${this.file} has no blob ${digest}`);

    return verifiedStream(digest, this.range(entry));
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  private async openArchive(): Promise<void> {
    try {
      this.handle = await open(this.file, 'r');
    } catch (error) {
      throw new ImageSourceError(
        'not-found',
        `cannot open ${this.file}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.entries = await indexTar(this.handle, this.file);
    if (!this.entries.has('manifest.json')) {
      throw new ImageSourceError(
        'unsupported',
        `${this.file} is not a docker archive (no manifest.json)`,
      );
    }
  }

  private choose(images: ArchiveImage[]): ArchiveImage {
    if (!Array.isArray(images) || images.length === 0) {
      throw new ImageSourceError('corrupt', `${this.file}: manifest.json lists no image`);
    }
    if (this.image) {
      const wanted = shortName(this.image.includes(':') ? this.image : `${this.image}:latest`);
      const found = images.find((image) =>
        image.RepoTags?.some((tag) => shortName(tag) === wanted),
      );
      if (!found) throw new ImageSourceError('not-found', `${this.file} has no image ${wanted}`);
      return found;
    }
    if (images.length > 1) {
      const tags = images.flatMap((image) => image.RepoTags ?? []);
      throw new ImageSourceError(
        'reference',
        `${this.file} holds ${images.length} images; name one as docker-archive:${this.file}:NAME:TAG (${tags.join(', ')})`,
      );
    }

    return images[0]!;
  }

  private async json<T>(entryPath: string): Promise<T> {
    const entry = this.entries.get(normalise(entryPath));
    if (!entry) throw new ImageSourceError('corrupt', `${this.file} has no ${entryPath}`);
    if (entry.size > MAX_MANIFEST_BYTES) {
      throw new ImageSourceError('corrupt', `${this.file}: ${entryPath} is too large`);
    }

    const buffer = Buffer.alloc(entry.size);
    await this.handle!.read(buffer, 0, entry.size, entry.offset);
    try {
      return JSON.parse(buffer.toString('utf8')) as T;
    } catch (error) {
      throw new ImageSourceError('corrupt', `${this.file}: ${entryPath} is not JSON`, {
        cause: error,
      });
    }
  }

  private range(entry: TarEntry): Readable {
    if (entry.size === 0) return Readable.from([]);

    return createReadStream(this.file, { start: entry.offset, end: entry.offset + entry.size - 1 });
  }
}

/** Newer `docker save` output names files by digest: blobs/sha256/<hex>. */
function blobDigest(entryPath: string): string | undefined {
  const match = /(?:^|\/)blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(entryPath);

  return match ? `${match[1]}:${match[2]}` : undefined;
}

/** Docker writes Hub names in full (docker.io/library/debian:12); people type them short. */
function shortName(name: string): string {
  return name.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

function splitTag(nameAndTag: string): [string, string | undefined] {
  const colon = nameAndTag.lastIndexOf(':');
  if (colon < 0 || nameAndTag.slice(colon).includes('/')) return [nameAndTag, undefined];

  return [nameAndTag.slice(0, colon), nameAndTag.slice(colon + 1)];
}
