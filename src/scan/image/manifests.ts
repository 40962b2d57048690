import { createHash } from 'node:crypto';
import {
  isIndexMediaType,
  parseManifest,
  RegistryError,
  type Descriptor,
} from '../../oci/index.js';
import { ImageSourceError } from './errors.js';
import type { ImageLayer, ResolvedImage } from './image.js';
import { formatPlatform, platformMatches, type Platform } from './platform.js';

/** Manifests and configs are small; anything bigger is not one. */
export const MAX_MANIFEST_BYTES = 4 * 2 ** 20;

/** How a manifest-based source (registry, OCI layout) hands out manifests and configs. */
export interface ManifestReader {
  /** The manifest a tag or digest names, as stored, with the media type it was served as. */
  manifest(reference: string): Promise<{ bytes: Buffer; mediaType?: string }>;
  /** A config blob. */
  blob(digest: string): Promise<Buffer>;
}

interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
}

/**
 * Follows a manifest reference to one image: an index (or Docker manifest list) is narrowed
 * to the platform asked for, then the image manifest and its config are read.
 */
export async function resolveManifest(
  reader: ManifestReader,
  reference: string,
  wanted: Platform,
): Promise<Omit<ResolvedImage, 'reference' | 'name' | 'tag'>> {
  const top = await reader.manifest(reference);
  const parsed = parse(top.bytes, top.mediaType, reference);
  let manifest = { ...parsed, digest: digestOfReference(reference, top.bytes) };
  let indexDigest: string | undefined;

  if (isIndexMediaType(parsed.mediaType)) {
    indexDigest = manifest.digest;
    const child = pickPlatform(parsed.manifests, rawPlatforms(top.bytes), wanted, reference);
    const fetched = await reader.manifest(child.digest);
    manifest = { ...parse(fetched.bytes, fetched.mediaType, child.digest), digest: child.digest };
    if (isIndexMediaType(manifest.mediaType)) {
      throw new ImageSourceError(
        'unsupported',
        `${child.digest}: nested image indexes are not read`,
      );
    }
  }

  const config = manifest.config!;
  const configJson = readConfig(await reader.blob(config.digest));

  return {
    digest: manifest.digest,
    ...(indexDigest && { indexDigest }),
    configDigest: config.digest,
    platform: platformOf(configJson, wanted),
    layers: manifest.layers.map(layerOf),
    diffIds: configJson.rootfs?.diff_ids ?? [],
    ...(configJson.created && { created: configJson.created }),
  };
}

function parse(bytes: Buffer, mediaType: string | undefined, reference: string) {
  try {
    return parseManifest(bytes, mediaType);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    throw new ImageSourceError('unsupported', `${reference}: ${error.message}`);
  }
}

/** A manifest fetched by digest is that digest; one fetched by tag is hashed. */
function digestOfReference(reference: string, bytes: Buffer): string {
  if (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(reference)) return reference;

  return `sha256:${createSha256(bytes)}`;
}

function pickPlatform(
  entries: Descriptor[],
  platforms: (Platform | undefined)[],
  wanted: Platform,
  reference: string,
): Descriptor {
  const candidates = entries.map((entry, i) => ({ entry, platform: platforms[i] }));
  const match = candidates.find((p) => p.platform && platformMatches(p.platform, wanted));
  if (match) return match.entry;

  const available = candidates.flatMap((p) => (p.platform ? [formatPlatform(p.platform)] : []));
  throw new ImageSourceError(
    'platform',
    `${reference} has no image for ${formatPlatform(wanted)}; it has ${available.join(', ') || 'no platforms listed'} (choose one with --platform)`,
  );
}

/** The `platform` of each index entry; parseManifest keeps only what the registry stores. */
function rawPlatforms(bytes: Buffer): (Platform | undefined)[] {
  const index = JSON.parse(bytes.toString('utf8')) as {
    manifests?: { platform?: Partial<Platform> }[];
  };

  return (index.manifests ?? []).map(({ platform }) =>
    platform?.os && platform.architecture
      ? {
          os: platform.os,
          architecture: platform.architecture,
          ...(platform.variant && { variant: platform.variant }),
        }
      : undefined,
  );
}

/**
 * The config's platform, layer ids and creation time. A config that is not a JSON object
 * gives none of them rather than stopping the scan: the layers can still be read, and the
 * scan reports the config itself as unreadable (scan.ts).
 */
function readConfig(bytes: Buffer): ImageConfig {
  try {
    const config: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
      return config as ImageConfig;
    }
  } catch {
    // Reported by the scan, with the digest.
  }

  return {};
}

function platformOf(config: ImageConfig, wanted: Platform): Platform {
  if (!config.os || !config.architecture) return wanted;

  return {
    os: config.os,
    architecture: config.architecture,
    ...(config.variant && { variant: config.variant }),
  };
}

function layerOf(descriptor: Descriptor): ImageLayer {
  return { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size };
}

function createSha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
