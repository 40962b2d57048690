import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyRequest,
  LogController,
  type ConnectionError,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger } from 'pino';
import type { ScanService } from '../analysis/index.js';
import { managementApi } from '../api/index.js';
import { oidcRoutes } from '../api/oidc.js';
import { tokenEndpoint } from '../api/token.js';
import type { Auth } from '../auth/index.js';
import { authorizedAccess, distributionApi, openAccess } from '../distribution/index.js';
import type { MetadataStore } from '../metadata/index.js';
import type { Registry } from '../registry/index.js';
import { RegistryError } from '../oci/errors.js';
import { errorResponse, type ErrorResponse } from './errors.js';
import { levelFor, loggablePath } from './logging.js';
import { createMetrics } from './metrics.js';
import { defaultPortalRoot, portalPages } from './portal.js';

export interface ServerOptions {
  registry: Registry;
  /** Accounts, permissions and tokens; absent when authentication is off. */
  auth?: Auth;
  /** Image scanning; absent when it is turned off. */
  scans?: ScanService;
  /** Token endpoint URL announced in challenges, when it cannot be derived from the request. */
  realm?: string;
  /** Non-secret settings shown to administrators by the management API. */
  publicSettings?: Record<string, unknown>;
  version?: string;
  meta: MetadataStore;
  logger: Logger;
  tls?: { cert: string; key: string };
  keepAliveTimeoutMs: number;
  /** A connection that sends and receives nothing for this long is closed. */
  idleTimeoutMs: number;
  /** The built portal (portal/dist unless given); no pages are served when it is missing. */
  portalRoot?: string;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Longest path parameter the router accepts, percent-encoded. Fastify's default of 100 is
 * shorter than names the management API takes (a project robot's name is up to 199 characters,
 * a group's 256, each possibly percent-encoded); longer ones are refused with 414.
 */
const maxParamLength = 4096;

/** Assembles the HTTP server: distribution API, health, metrics, request logging, error mapping. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const base: FastifyServerOptions = {
    loggerInstance: options.logger,
    // Berth writes its own single line per request (installRequestLog).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    // Large layers take long: Node's default 5-minute requestTimeout would cut them off. What
    // protects against clients that open uploads and then stall is the inactivity timeout: a
    // 10 GB layer arriving slowly keeps its socket busy, a stalled one does not.
    requestTimeout: 0,
    connectionTimeout: options.idleTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    forceCloseConnections: 'idle',
    // Requests arriving during close() get a 503 in the spec's error shape (installConnectionPolicy).
    return503OnClosing: false,
    exposeHeadRoutes: false,
    clientErrorHandler: answerUnparsable,
    routerOptions: { maxParamLength },
    // URLs the router refuses before any route runs (a parameter past maxParamLength, broken
    // percent-encoding) get the spec's error body too, from the same mapping.
    frameworkErrors: (err, _request, reply) => {
      const response = errorResponse(err);
      const headers = { ...response.headers, 'content-type': 'application/json' };
      reply.raw.writeHead(response.status, headers).end(JSON.stringify(response.body));
    },
  };
  const app = (options.tls
    ? Fastify({
        ...base,
        https: { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
      } as FastifyServerOptions)
    : Fastify(base)) as unknown as FastifyInstance;

  const metrics = createMetrics(
    () => options.meta.countUploads(),
    options.scans && (() => options.meta.scans.countByStatus()),
  );
  installConnectionPolicy(app);
  installRequestLog(app, metrics);
  installErrorHandler(app);

  app.get('/healthz', async (request, reply) => {
    request.routeKind = 'health';
    reply.send({ status: 'ok' });
  });
  app.get('/readyz', async (request, reply) => {
    request.routeKind = 'health';
    await options.meta.ping();
    reply.send({ status: 'ready' });
  });
  app.get('/metrics', async (request, reply) => {
    request.routeKind = 'metrics';
    reply
      .header('content-type', metrics.registry.contentType)
      .send(await metrics.registry.metrics());
  });

  const auth = options.auth;
  app.register(distributionApi, {
    registry: options.registry,
    countIn: (bytes: number) => metrics.bytesIn.inc(bytes),
    access: auth
      ? authorizedAccess(auth, { realm: options.realm, tls: Boolean(options.tls) })
      : openAccess,
  });
  if (auth) {
    app.register(tokenEndpoint, { auth });
    if (auth.oidc) app.register(oidcRoutes, { auth, oidc: auth.oidc, tls: Boolean(options.tls) });
    app.register(managementApi, {
      auth,
      registry: options.registry,
      scans: options.scans,
      settings: options.publicSettings ?? {},
      version: options.version ?? '0.0.0',
      realm: options.realm,
      tls: Boolean(options.tls),
      prefix: '/api/v1',
    });
  }
  app.register(portalPages, { root: options.portalRoot ?? defaultPortalRoot });

  return app;
}

/**
 * When to ask the client to close its connection after a response:
 * - during close(), Node closes only the keep-alive connections idle at that moment, and one whose
 *   request is still running would then idle until keepAliveTimeout;
 * - when a request is refused before its body was read (a chunk out of order, an unknown
 *   session), the rest of a possibly huge body is not worth reading just to reuse the socket.
 */
function installConnectionPolicy(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) {
      throw new RegistryError('UNAVAILABLE', 'the registry is shutting down', {
        headers: { 'retry-after': '1' },
      });
    }
  });
  app.addHook('onSend', async (request, reply) => {
    if (closing || !request.raw.complete) reply.header('connection', 'close');
  });
}

function installRequestLog(app: FastifyInstance, metrics: ReturnType<typeof createMetrics>): void {
  const requestStarts = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request, reply) => {
    requestStarts.set(request, performance.now());
    reply.header('x-request-id', request.id);
  });

  // A client that closes the connection before the response ends gets no onResponse: count it
  // under status "aborted" and log it once, with what is known.
  app.addHook('onRequestAbort', async (request) => {
    const route = request.routeKind ?? 'other';
    const elapsedMs = performance.now() - (requestStarts.get(request) ?? performance.now());
    metrics.observeRequest(route, request.method, 'aborted', elapsedMs / 1000);
    request.log.info(
      {
        method: request.method,
        path: loggablePath(request.url),
        route,
        status: 'aborted',
        durationMs: Math.round(elapsedMs * 10) / 10,
        remote: request.ip,
        userAgent: request.headers['user-agent'],
      },
      'request aborted by client',
    );
  });

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const route = request.routeKind ?? 'other';
    const seconds = reply.elapsedTime / 1000;
    const bytesOut =
      request.method === 'HEAD' ? 0 : Number(reply.getHeader('content-length') ?? 0) || 0;
    metrics.observeRequest(route, request.method, status, seconds);
    metrics.bytesOut.inc(bytesOut);

    const level = levelFor(status, request.method, route);
    request.log[level](
      {
        method: request.method,
        path: loggablePath(request.url),
        route,
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        bytesOut,
        remote: request.ip,
        user: request.visitor?.name,
        userAgent: request.headers['user-agent'],
      },
      'request completed',
    );
  });
}

/** A request whose client hung up before sending all of its body is the client's doing. */
function clientWentAway(request: FastifyRequest): boolean {
  return !request.raw.complete && (request.raw.destroyed || request.raw.socket?.destroyed === true);
}

function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const response = errorResponse(err);
    // The abort itself is logged once by the onRequestAbort hook.
    if (clientWentAway(request)) {
      request.log.debug(
        { reason: err instanceof Error ? err.message : String(err) },
        'client closed the connection',
      );
      return;
    }
    if (response.serverFault) request.log.error({ err }, 'failed to handle request');
    else request.log.debug(refusal(response), 'request refused');

    // A client that hung up mid-upload has nobody left to answer.
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    reply
      .code(response.status)
      .headers(response.headers)
      .header('content-type', 'application/json');
    return reply.send(
      request.method === 'HEAD' ? undefined : Buffer.from(JSON.stringify(response.body)),
    );
  });

  app.setNotFoundHandler(async (request, reply) => {
    request.routeKind = 'other';
    reply.code(404).header('content-type', 'application/json');
    return reply.send({ errors: [{ code: 'UNSUPPORTED', message: 'unknown endpoint' }] });
  });
}

function refusal(response: ErrorResponse): { code?: string; reason?: string } {
  const body = response.body;
  if ('error' in body) return { code: body.error, reason: body.error_description };

  return { code: body.errors[0]?.code, reason: body.errors[0]?.message };
}

/**
 * Requests Node's parser refuses (oversized headers, malformed framing) never reach a route;
 * they get the spec's error body too, from the same mapping as every other error.
 */
function answerUnparsable(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;

  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const reason = status === 431 ? 'request headers are too large' : 'malformed HTTP request';
  const response = errorResponse(Object.assign(new Error(reason), { statusCode: status }));
  const body = JSON.stringify(response.body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
