import { RegistryError } from './errors.js';
import { truncate, tryParseDigest, type ParsedDigest } from './digest.js';

/**
 * Repository name grammar from the distribution spec v1.1 ("Pulling manifests"):
 * path components of lowercase alphanumerics joined by `.`, `_`, `__` or runs of `-`.
 */
const namePattern =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/**
 * Docker and containerd refuse references longer than 255 characters including the host, so
 * longer names could be pushed but never pulled (distribution reference.NameTotalLengthMax).
 */
export const maxNameLength = 255;

export function isValidName(name: string): boolean {
  return name.length <= maxNameLength && namePattern.test(name);
}

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}

export function assertValidName(name: string): void {
  if (!isValidName(name)) {
    throw new RegistryError('NAME_INVALID', `invalid repository name "${truncate(name)}"`);
  }
}

/** A manifest reference is either a tag or a digest. */
export type ManifestReference = { kind: 'tag'; tag: string } | ({ kind: 'digest' } & ParsedDigest);

/**
 * Parses a tag or digest. A malformed digest is DIGEST_INVALID; a malformed tag is MANIFEST_INVALID
 * when pushing, and MANIFEST_UNKNOWN when reading, since no such tag can exist.
 */
export function parseManifestReference(reference: string, forWrite = false): ManifestReference {
  if (isValidTag(reference)) return { kind: 'tag', tag: reference };

  const digest = tryParseDigest(reference);
  if (digest) return { kind: 'digest', ...digest };

  // A colon means the client meant a digest; anything else is a malformed tag.
  if (reference.includes(':')) {
    throw new RegistryError('DIGEST_INVALID', `invalid digest "${truncate(reference)}"`);
  }
  if (!forWrite) {
    throw new RegistryError(
      'MANIFEST_UNKNOWN',
      `no manifest can have the invalid tag "${truncate(reference)}"`,
    );
  }
  throw new RegistryError('MANIFEST_INVALID', `invalid tag "${truncate(reference)}"`);
}
