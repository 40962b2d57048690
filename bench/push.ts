// Pushing content the way clients do, for the workloads' setup and their push timings.
import { createHash, randomBytes } from 'node:crypto';

import type { Client } from './http.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Monolithic upload: POST to open a session, then one PUT with the whole body and the digest. */
export async function pushBlob(
  client: Client,
  repo: string,
  body: Buffer | Buffer[],
  digest: string,
): Promise<void> {
  const opened = await client.expect(202, `/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const location = new URL(String(opened.headers.location), client.base);
  location.searchParams.set('digest', digest);
  await client.expect(201, location.href, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'application/octet-stream' },
  });
}

export async function putManifest(
  client: Client,
  repo: string,
  tag: string,
  manifest: Buffer,
): Promise<void> {
  await client.expect(201, `/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': OCI_MANIFEST },
  });
}

export interface PushedImage {
  manifest: Buffer;
  config: { digest: string; size: number };
  layers: { digest: string; size: number }[];
}

/**
 * Pushes a config and one random layer per entry of `layerSizes` (bytes) and tags the manifest;
 * layers are pushed one at a time, so the client holds one in memory.
 */
export async function pushImage(
  client: Client,
  repo: string,
  tag: string,
  layerSizes: number[],
): Promise<PushedImage> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: {} }));
  const configDigest = sha256(config);
  await pushBlob(client, repo, config, configDigest);

  const layers: PushedImage['layers'] = [];
  for (const size of layerSizes) {
    const layer = randomBytes(size);
    const digest = sha256(layer);
    await pushBlob(client, repo, layer, digest);
    layers.push({ digest, size });
  }

  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.digest, size: l.size })),
    }),
  );
  await putManifest(client, repo, tag, manifest);

  return { manifest, config: { digest: configDigest, size: config.length }, layers };
}
