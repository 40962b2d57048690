import { existsSync } from 'node:fs';
import { isDigest, isValidName, isValidTag } from '../../oci/index.js';
import { ImageSourceError } from './errors.js';

// The image references `berth scan` takes, spelled the way skopeo and Trivy spell them:
//   docker://HOST/REPO[:TAG|@DIGEST]  or the same without docker://   a registry
//   oci:DIR[:TAG]                                                     an OCI image layout
//   docker-archive:FILE[:NAME[:TAG]]                                  a `docker save` tar

export type ImageReference =
  | { transport: 'registry'; registry: string; repository: string; tag?: string; digest?: string }
  | { transport: 'oci'; dir: string; tag?: string }
  | { transport: 'docker-archive'; file: string; image?: string };

/** Transports other tools know that Berth does not read. */
const UNSUPPORTED = [
  'containers-storage',
  'docker-daemon',
  'dir',
  'oci-archive',
  'ostree',
  'sif',
  'tarball',
];

const DOCKER_HUB = 'registry-1.docker.io';

export function parseImageReference(text: string): ImageReference {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid(text, 'it is empty');

  if (trimmed.startsWith('oci:')) {
    const [dir, tag] = splitPath(trimmed.slice('oci:'.length));
    return { transport: 'oci', dir, ...(tag && { tag }) };
  }
  if (trimmed.startsWith('docker-archive:')) {
    const [file, image] = splitPath(trimmed.slice('docker-archive:'.length));
    return { transport: 'docker-archive', file, ...(image && { image }) };
  }

  const transport = /^([a-z][a-z0-9-]*):/.exec(trimmed)?.[1];
  if (transport && UNSUPPORTED.includes(transport)) {
    throw invalid(text, `the ${transport}: transport is not supported`);
  }

  return registryReference(text, trimmed.replace(/^docker:\/\//, ''));
}

/** `host[:port]/repo[:tag][@digest]`, with Docker Hub's defaults for names without a host. */
function registryReference(original: string, text: string): ImageReference {
  const at = text.indexOf('@');
  const digest = at < 0 ? undefined : text.slice(at + 1);
  const named = at < 0 ? text : text.slice(0, at);
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  const path = hasTag ? named.slice(0, colon) : named;

  const slash = path.indexOf('/');
  const first = slash < 0 ? '' : path.slice(0, slash);
  const explicitHost = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = explicitHost ? first : DOCKER_HUB;
  let repository = explicitHost ? path.slice(slash + 1) : path;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  if (!isValidName(repository)) throw invalid(original, `"${repository}" is not a repository name`);
  if (tag !== undefined && !isValidTag(tag)) throw invalid(original, `"${tag}" is not a tag`);
  if (digest !== undefined && !isDigest(digest))
    throw invalid(original, `"${digest}" is not a digest`);

  return {
    transport: 'registry',
    registry,
    repository,
    ...(digest ? { digest } : { tag: tag ?? 'latest' }),
    ...(digest && tag && { tag }),
  };
}

/**
 * A path followed by an optional `:suffix`. Paths may contain colons themselves, so the longest
 * prefix that exists on disk is the path; when none does, the last colon splits.
 */
function splitPath(text: string): [string, string | undefined] {
  if (text === '') throw invalid(text, 'the path is missing');
  if (existsSync(text)) return [text, undefined];

  for (let i = text.indexOf(':'); i > 0; i = text.indexOf(':', i + 1)) {
    if (existsSync(text.slice(0, i))) return [text.slice(0, i), text.slice(i + 1) || undefined];
  }

  const last = text.lastIndexOf(':');

  return last > 0 ? [text.slice(0, last), text.slice(last + 1) || undefined] : [text, undefined];
}

function invalid(text: string, reason: string): ImageSourceError {
  return new ImageSourceError(
    'reference',
    `"${text}" is not an image reference: ${reason}; use HOST/REPO:TAG, docker://HOST/REPO:TAG, oci:DIR[:TAG] or docker-archive:FILE`,
  );
}
