// SBOMs attached to the image they describe, as OCI 1.1 referrers (image-spec manifest.md,
// "Guidelines for Artifact Usage"): an image manifest whose artifactType is the SBOM's media
// type, whose config is the empty descriptor, whose one layer is the document, and whose
// subject is the image. `oras discover` and the referrers API list them; any client can pull
// them. They are pushed through the registry's own services, so quotas apply to them as to
// any push.

import { Readable } from 'node:stream';
import { digestOf, MediaType } from '../oci/index.js';
import type { Registry } from '../registry/index.js';
import { cyclonedxJson, spdxJson, type SbomInput } from '../scan/sbom/index.js';
import type { StoredAnalysis } from './documents.js';

export const SBOM_FORMATS = {
  cyclonedx: {
    mediaType: 'application/vnd.cyclonedx+json',
    title: 'sbom.cdx.json',
    write: (input: SbomInput) => `${cyclonedxJson(input)}\n`,
  },
  spdx: {
    mediaType: 'application/spdx+json',
    title: 'sbom.spdx.json',
    write: (input: SbomInput) => spdxJson(input),
  },
} as const;

export type SbomFormat = keyof typeof SBOM_FORMATS;

/** Marks the referrers Berth made, so that a rescan finds them instead of adding more. */
export const GENERATOR_ANNOTATION = 'dev.berth.sbom.generator';

/** The empty JSON object `{}`: the config of artifacts that have none (image-spec 1.1). */
const EMPTY_CONFIG = Buffer.from('{}');

export interface SbomSubject {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
}

export function sbomDocument(analysis: StoredAnalysis, format: SbomFormat, version: string) {
  return SBOM_FORMATS[format].write({
    image: analysis.image,
    os: analysis.inventory.os,
    packages: analysis.inventory.packages,
    toolVersion: version,
  });
}

/** Pushes one referrer per SBOM format asked for; returns the referrers' manifest digests. */
export async function attachSboms(
  registry: Registry,
  subject: SbomSubject,
  analysis: StoredAnalysis,
  version: string,
  formats: readonly SbomFormat[],
): Promise<string[]> {
  await putBlob(registry, subject.repository, EMPTY_CONFIG);
  const attached: string[] = [];

  for (const format of formats) {
    const document = Buffer.from(sbomDocument(analysis, format, version));
    await putBlob(registry, subject.repository, document);

    const manifest = referrerManifest(subject, format, document, version);
    const digest = digestOf(manifest);
    await registry.manifests.put(subject.repository, digest, manifest, MediaType.ociManifest);
    attached.push(digest);
  }

  return attached;
}

function referrerManifest(
  subject: SbomSubject,
  format: SbomFormat,
  document: Buffer,
  version: string,
): Buffer {
  const { mediaType, title } = SBOM_FORMATS[format];
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType: mediaType,
    config: {
      mediaType: MediaType.ociEmpty,
      digest: digestOf(EMPTY_CONFIG),
      size: EMPTY_CONFIG.length,
      data: EMPTY_CONFIG.toString('base64'),
    },
    layers: [
      {
        mediaType,
        digest: digestOf(document),
        size: document.length,
        annotations: { 'org.opencontainers.image.title': title },
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      'org.opencontainers.image.created': new Date().toISOString(),
      [GENERATOR_ANNOTATION]: `berth ${version}`,
    },
  };

  return Buffer.from(JSON.stringify(manifest));
}

async function putBlob(registry: Registry, repository: string, content: Buffer): Promise<void> {
  await registry.uploads.start(repository, {
    digest: digestOf(content),
    body: Readable.from([content]),
    length: content.length,
  });
}
