// Small synthetic images for the secret, config and report tests: layers written with the
// inventory tests' tar helpers, a config of the test's choosing, served from memory as an
// ImageSource or written to disk as an OCI image layout (for `berth scan`).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ImageSource } from '../../../../src/scan/image/index.js';
import { BlobSet, gzipTarOf, type EntrySpec } from '../inventory/layers.js';

export interface ImageSpec {
  layers: EntrySpec[][];
  /** Merged over a minimal config: `config` (User, Env, …) and `history` go here. */
  config?: Record<string, unknown>;
}

interface BuiltImage {
  blobs: BlobSet;
  layers: { digest: string; size: number }[];
  config: { digest: string; size: number };
}

async function build(spec: ImageSpec): Promise<BuiltImage> {
  const blobs = new BlobSet();
  const layers = [];
  for (const entries of spec.layers) {
    const blob = await gzipTarOf(entries);
    layers.push({ digest: blobs.add(blob), size: blob.length });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map(({ digest }) => digest) },
      ...spec.config,
    }),
  );

  return { blobs, layers, config: { digest: blobs.add(config), size: config.length } };
}

/** The image as an ImageSource, read from memory. */
export async function imageSource(spec: ImageSpec): Promise<ImageSource> {
  const image = await build(spec);

  return {
    resolve: async () => ({
      reference: 'registry.test/app:1',
      name: 'registry.test/app',
      tag: '1',
      configDigest: image.config.digest,
      platform: { os: 'linux', architecture: 'amd64' },
      layers: image.layers.map((layer) => ({ ...layer, mediaType: LAYER_TYPE })),
      diffIds: image.layers.map(({ digest }) => digest),
    }),
    openBlob: image.blobs.open,
    close: async () => {},
  };
}

const LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Writes the image as an OCI image layout tagged `tag`; returns the `oci:` reference. */
export async function ociLayout(dir: string, spec: ImageSpec, tag = 'v1'): Promise<string> {
  const image = await build(spec);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...image.config },
      layers: image.layers.map((layer) => ({ mediaType: LAYER_TYPE, ...layer })),
    }),
  );
  const manifestDigest = image.blobs.add(manifest);

  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, blob] of image.blobs.blobs) {
    writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), blob);
  }
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );

  return `oci:${dir}:${tag}`;
}
