import type { FastifyRequest } from 'fastify';
import { anonymous, AuthError, parseAuthorization, type Actor, type Auth } from '../auth/index.js';

/** The scope a bearer token needs for the management API (requested as `berth:api:*`). */
export const apiScope = { type: 'berth', name: 'api' } as const;

/**
 * Who is calling the management API: Basic credentials (users, robots), or a bearer token from
 * the token endpoint that carries the `berth:api:*` scope. A registry token for pulling cannot
 * manage projects, even for the same account.
 */
export async function authenticateApi(
  auth: Auth,
  request: FastifyRequest,
  allowAnonymous: boolean,
): Promise<Actor> {
  const credentials = parseAuthorization(request.headers.authorization);
  const authenticated = await auth.authenticator.fromCredentials(credentials, request.ip);
  if (authenticated.tokenAccess) {
    const api = authenticated.tokenAccess.some(
      (scope) => scope.type === apiScope.type && scope.name === apiScope.name,
    );
    if (!api)
      throw new AuthError('unauthenticated', 'this token does not carry the berth:api scope');
  }

  const actor = { principal: authenticated.principal, remoteAddr: request.ip };
  if (actor.principal.kind === 'anonymous' && !allowAnonymous) {
    throw new AuthError('unauthenticated', 'sign in first');
  }
  return actor.principal.kind === 'anonymous'
    ? { principal: anonymous, remoteAddr: request.ip }
    : actor;
}
