import type { FastifyInstance } from 'fastify';
import type { ScanService } from '../analysis/index.js';
import { tokenRealm, type Auth } from '../auth/index.js';
import type { Registry } from '../registry/index.js';
import { openApiDocument } from './openapi.js';
import { projectRoutes } from './projects.js';
import { repositoryRoutes } from './repositories.js';
import { robotRoutes } from './robots.js';
import { scanRoutes } from './scans.js';
import { registerRoutes, type ApiRoute } from './route.js';
import { systemRoutes, type PublicSettings } from './system.js';
import { userRoutes } from './users.js';

export interface ManagementApiOptions {
  auth: Auth;
  registry: Registry;
  /** Image scanning; its routes answer 404 when it is off. */
  scans?: ScanService;
  /** Shown to administrators at GET /settings; must hold no secret. */
  settings: PublicSettings;
  version: string;
  /** The token endpoint URL to announce in challenges; otherwise derived from the request. */
  realm?: string;
  tls: boolean;
}

/** JSON bodies of the management API are small; anything larger is refused with 413. */
const maxBodyBytes = 256 * 1024;

export function apiRoutes(settings: PublicSettings, version: string): ApiRoute[] {
  return [
    ...projectRoutes,
    ...repositoryRoutes,
    ...userRoutes,
    ...robotRoutes,
    ...scanRoutes(version),
    ...systemRoutes(settings),
  ];
}

/** Mounts /api/v1: the routes and their OpenAPI document at /api/v1/openapi.json. */
export async function managementApi(
  app: FastifyInstance,
  options: ManagementApiOptions,
): Promise<void> {
  const routes = apiRoutes(options.settings, options.version);
  const document = openApiDocument(routes, options.version);

  app.removeContentTypeParser(['text/plain']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: maxBodyBytes },
    (request, body, done) => {
      // RFC 8259 section 8.1: JSON between systems is UTF-8. Another declared charset would be
      // misread, and bytes that are not UTF-8 would be stored as replacement characters.
      const charset = charsetOf(request.headers['content-type']);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        return done(unsupportedCharset(charset), undefined);
      }
      const text = decodeUtf8(body as Buffer);
      if (text === undefined) return done(notUtf8(), undefined);

      return parseJson(request, text, done);
    },
  );

  // RFC 9110 section 11.6.1: a 401 names how to authenticate. Bearer (not Basic, which would
  // make browsers open their own sign-in dialog over the portal) with the one API scope.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode !== 401 || reply.hasHeader('www-authenticate')) return;

    const realm = options.realm ?? tokenRealm(request.headers.host, options.tls);
    const service = options.auth.tokens.options.service;
    reply.header(
      'www-authenticate',
      `Bearer realm="${realm}",service="${service}",scope="berth:api:*"`,
    );
  });

  app.get('/openapi.json', async (request, reply) => {
    request.routeKind = 'api';
    return reply.send(document);
  });
  registerRoutes(app, routes, options);
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function notUtf8(): Error {
  return Object.assign(new Error('the body is not valid UTF-8'), { statusCode: 400 });
}

function unsupportedCharset(charset: string): Error {
  const message = `the body must be UTF-8 JSON, not charset "${charset.slice(0, 32)}"`;
  return Object.assign(new Error(message), { statusCode: 415 });
}

export { openApiDocument } from './openapi.js';
