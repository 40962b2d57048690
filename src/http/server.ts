import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import { distributionApi } from '../distribution/index.js';
import type { MetadataStore } from '../metadata/index.js';
import type { Registry } from '../registry/index.js';
import { errorResponse } from './errors.js';
import { levelFor, loggablePath } from './logging.js';
import { createMetrics } from './metrics.js';

export interface ServerOptions {
  registry: Registry;
  meta: MetadataStore;
  logger: Logger;
  tls?: { cert: string; key: string };
  keepAliveTimeoutMs: number;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

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
    // Large layers take long: Node's default 5-minute requestTimeout would cut them off.
    requestTimeout: 0,
    connectionTimeout: 0,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    exposeHeadRoutes: false,
  };
  const app = (options.tls
    ? Fastify({
        ...base,
        https: { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
      } as FastifyServerOptions)
    : Fastify(base)) as unknown as FastifyInstance;

  const metrics = createMetrics(() => options.meta.countUploads());
  installGracefulClose(app);
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

  app.register(distributionApi, {
    registry: options.registry,
    countIn: (bytes: number) => metrics.bytesIn.inc(bytes),
  });

  return app;
}

/**
 * During close(), Node closes only the keep-alive connections idle at that moment; a connection
 * whose request is still running would then idle until keepAliveTimeout. Responses finished
 * after close() began ask the client to close instead, so shutdown ends with the last request.
 */
function installGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
}

function installRequestLog(app: FastifyInstance, metrics: ReturnType<typeof createMetrics>): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
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
        userAgent: request.headers['user-agent'],
      },
      'request completed',
    );
  });
}

function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const response = errorResponse(err);
    if (response.serverFault) request.log.error({ err }, 'failed to handle request');
    else
      request.log.debug(
        { code: response.body.errors[0]?.code, reason: response.body.errors[0]?.message },
        'request refused',
      );

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
