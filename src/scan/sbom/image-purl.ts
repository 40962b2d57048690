import { PackageURL } from 'packageurl-js';
import type { ResolvedImage } from '../image/index.js';

/**
 * The image's own purl (pkg:oci, purl-spec types/oci): the last path segment as the name,
 * the manifest (or, for a docker archive, the config) digest as the version, the repository
 * and platform as qualifiers.
 */
export function imagePurl(image: ResolvedImage): string {
  const name = image.name.split('/').pop()!.toLowerCase();
  const qualifiers: Record<string, string> = { arch: image.platform.architecture };
  if (image.name.includes('/')) qualifiers.repository_url = image.name;
  if (image.tag) qualifiers.tag = image.tag;

  return new PackageURL('oci', undefined, name, imageVersion(image), qualifiers).toString();
}

/** The digest that names the image: the manifest's, or the config's when there is none. */
export function imageVersion(image: ResolvedImage): string {
  return image.digest ?? image.configDigest;
}
