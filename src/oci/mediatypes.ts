/** Media types from the OCI image spec v1.1 and the Docker image manifest v2 schema 2. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Manifest types Berth stores and serves. Schema 1 was deprecated in 2019 and is refused. */
export const manifestMediaTypes: ReadonlySet<string> = new Set([
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
]);

/** Config media types of runnable images: what the image analyser can read. */
const imageConfigTypes: ReadonlySet<string> = new Set([
  MediaType.ociConfig,
  'application/vnd.docker.container.image.v1+json',
]);

export function isImageConfigMediaType(mediaType: string | null | undefined): boolean {
  return mediaType !== null && mediaType !== undefined && imageConfigTypes.has(mediaType);
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

/**
 * Layers a registry must not require to be present: Docker foreign layers and OCI
 * non-distributable layers live at their `urls`, not in the registry (image-spec layer.md).
 */
export function isForeignLayer(mediaType: string): boolean {
  return (
    mediaType.startsWith('application/vnd.docker.image.rootfs.foreign.') ||
    mediaType.startsWith('application/vnd.oci.image.layer.nondistributable.')
  );
}
