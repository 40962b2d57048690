import type { Readable } from 'node:stream';
import type { Platform } from './platform.js';

/** One layer of the image, bottom first. */
export interface ImageLayer {
  digest: string;
  mediaType: string;
  /** Compressed size, when the manifest gives it. */
  size?: number;
}

/** The image a reference resolved to, for the platform asked for. */
export interface ResolvedImage {
  /** The reference as given. */
  reference: string;
  /** Repository or archive name, for SBOMs: "registry.example/team/app". */
  name: string;
  /** Tag, when the reference has one. */
  tag?: string;
  /** The image manifest's digest; docker archives have none. */
  digest?: string;
  /** The index the manifest was picked from, when there was one. */
  indexDigest?: string;
  /** The config blob's digest: the image id. */
  configDigest: string;
  platform: Platform;
  layers: ImageLayer[];
  /** Layer diff ids from the config, in layer order. */
  diffIds: string[];
  created?: string;
}

/** Where an image comes from: a registry, an OCI layout, a docker archive. */
export interface ImageSource {
  /** Resolves the reference to one image, picking `platform` from an index. */
  resolve(platform: Platform): Promise<ResolvedImage>;
  /**
   * A layer's or the config's bytes as stored (compressed or not), checked against the digest
   * as they pass.
   */
  openBlob(digest: string): Promise<Readable>;
  close(): Promise<void>;
}
