import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RegistryError } from '../oci/errors.js';
import type { Registry } from '../registry/index.js';
import { handlers } from './handlers.js';
import { openAccess, type RegistryAccess, type Visitor } from './access.js';
import { allowedMethods, matchRoute } from './routes.js';

export { authorizedAccess, openAccess, type RegistryAccess, type Visitor } from './access.js';
export type { RouteKind } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Endpoint kind for logs and metrics labels. */
    routeKind?: string;
    /** Who the request acts as, once admitted; named in the request log. */
    visitor?: Visitor;
  }
}

export interface DistributionOptions {
  registry: Registry;
  countIn: (bytes: number) => void;
  /** Authentication and permissions; everything is open without it. */
  access?: RegistryAccess;
}

/**
 * Mounts the OCI distribution API under /v2/. Bodies are left unread for the handlers, which
 * stream blobs straight to storage; Fastify's body parsers would buffer them.
 */
export async function distributionApi(
  app: FastifyInstance,
  options: DistributionOptions,
): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  // Docker decides a registry speaks v2 from this header, 401s included (v1.1 "Legacy Docker
  // support HTTP headers").
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('docker-distribution-api-version', 'registry/2.0');
  });

  const handler = (request: FastifyRequest, reply: Parameters<typeof dispatch>[1]) =>
    dispatch(request, reply, options);
  // OPTIONS is routed too, so that it gets a 405 with Allow rather than an unknown-endpoint 404.
  const methods = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'] as const;
  app.route({ method: [...methods], url: '/v2', handler });
  app.route({ method: [...methods], url: '/v2/*', handler });
}

async function dispatch(
  request: FastifyRequest,
  reply: import('fastify').FastifyReply,
  options: DistributionOptions,
): Promise<unknown> {
  const url = new URL(request.url, 'http://registry.invalid');
  // URL parsing resolves `..` and `%2e%2e` segments: route on the path as sent, so that such a
  // name fails validation instead of naming another repository.
  const route = matchRoute(request.url.split('?')[0] ?? '');
  if (!route) throw new RegistryError('UNSUPPORTED', 'unknown endpoint', { status: 404 });
  request.routeKind = route.kind;

  const handler = handlers[`${request.method} ${route.kind}`];
  if (!handler) {
    throw new RegistryError('UNSUPPORTED', `${request.method} is not supported on this endpoint`, {
      status: 405,
      headers: { allow: allowedMethods[route.kind].join(', ') },
    });
  }

  const access = options.access ?? openAccess;
  let visitor: Visitor | undefined;
  try {
    visitor = await access.admit(request, route);
    request.visitor = visitor;

    const result = await handler({
      registry: options.registry,
      request,
      reply,
      route,
      query: url.searchParams,
      countIn: options.countIn,
      visitor,
    });
    access.record(request, route, visitor, 'success');
    return result;
  } catch (err) {
    access.record(request, route, visitor ?? request.visitor, visitor ? 'failure' : 'denied');
    throw err;
  }
}
