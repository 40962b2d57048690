import { RegistryError } from '../oci/errors.js';
import { isValidName, maxNameLength } from '../oci/reference.js';

export type RouteKind =
  'base' | 'catalog' | 'manifest' | 'blob' | 'upload' | 'uploads' | 'tags' | 'referrers';

export interface MatchedRoute {
  kind: RouteKind;
  name?: string;
  /** Tag or digest for manifests, digest for blobs and referrers, session id for uploads. */
  reference?: string;
}

/**
 * The /v2/ endpoints of the distribution spec v1.1 ("Endpoints" table). Repository names contain
 * slashes, so each pattern anchors on its fixed tail and gives the rest to the name. The path is
 * matched raw, never percent-decoded: no valid name, tag or digest contains `%`, so an encoded
 * `..` or `/` can only fail validation, never reach storage.
 */
const patterns: [RouteKind, RegExp][] = [
  ['base', /^\/v2\/?$/],
  ['catalog', /^\/v2\/_catalog$/],
  ['uploads', /^\/v2\/(.+)\/blobs\/uploads\/?$/],
  ['upload', /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/],
  ['blob', /^\/v2\/(.+)\/blobs\/([^/]+)$/],
  ['manifest', /^\/v2\/(.+)\/manifests\/([^/]+)$/],
  ['tags', /^\/v2\/(.+)\/tags\/list$/],
  ['referrers', /^\/v2\/(.+)\/referrers\/([^/]+)$/],
];

export const allowedMethods: Record<RouteKind, string[]> = {
  base: ['GET', 'HEAD'],
  catalog: ['GET', 'HEAD'],
  uploads: ['POST'],
  upload: ['GET', 'PATCH', 'PUT', 'DELETE'],
  blob: ['GET', 'HEAD', 'DELETE'],
  manifest: ['GET', 'HEAD', 'PUT', 'DELETE'],
  tags: ['GET', 'HEAD'],
  referrers: ['GET', 'HEAD'],
};

export function matchRoute(pathname: string): MatchedRoute | undefined {
  // Bound the work a hostile URL can cause before any regex runs.
  if (pathname.length > maxNameLength + 512) {
    throw new RegistryError('NAME_INVALID', 'request path is too long');
  }

  for (const [kind, pattern] of patterns) {
    const match = pattern.exec(pathname);
    if (!match) continue;

    const name = match[1];
    if (name !== undefined && !isValidName(name)) {
      throw new RegistryError('NAME_INVALID', `invalid repository name "${name.slice(0, 80)}"`, {
        detail: { name: name.slice(0, 300) },
      });
    }
    return { kind, name, reference: match[2] };
  }

  return undefined;
}
