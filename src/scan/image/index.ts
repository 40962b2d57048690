// Reading images to scan from where they are: a registry, an OCI layout, a docker archive.
// Every blob is checked against its digest as it is read.

import { authFilePath, credentialsFor, type Credentials } from './credentials.js';
import { DockerArchiveSource } from './docker-archive.js';
import type { ImageSource } from './image.js';
import { OciLayoutSource } from './oci-layout.js';
import { parseImageReference } from './reference.js';
import { RegistrySource } from './registry.js';

export { ImageSourceError, type ImageErrorKind } from './errors.js';
export type { ImageLayer, ImageSource, ResolvedImage } from './image.js';
export {
  formatPlatform,
  hostPlatform,
  parsePlatform,
  platformMatches,
  type Platform,
} from './platform.js';
export { parseImageReference, type ImageReference } from './reference.js';
export type { Credentials } from './credentials.js';
export { resolveManifest, type ManifestReader } from './manifests.js';

export interface OpenImageOptions {
  plainHttp?: boolean;
  /** Registry credentials; without them, the auth file's entry for the registry, if any. */
  credentials?: Credentials;
  env?: NodeJS.ProcessEnv;
}

/** The source a reference names. Nothing is read until the source resolves. */
export function openImage(text: string, options: OpenImageOptions = {}): ImageSource {
  const reference = parseImageReference(text);

  switch (reference.transport) {
    case 'oci':
      return new OciLayoutSource(reference.dir, reference.tag, text);
    case 'docker-archive':
      return new DockerArchiveSource(reference.file, reference.image, text);
    case 'registry': {
      const credentials =
        options.credentials ?? credentialsFor(reference.registry, authFilePath(options.env));
      return new RegistrySource(reference.registry, reference.repository, reference, text, {
        plainHttp: options.plainHttp,
        credentials,
      });
    }
  }
}
