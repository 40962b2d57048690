import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ScanService } from '../analysis/index.js';
import type { Actor, Auth } from '../auth/index.js';
import { RegistryError } from '../oci/errors.js';
import type { Registry } from '../registry/index.js';
import { authenticateApi } from './actor.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type AnyObject = z.ZodType<Record<string, unknown>>;

export interface ApiContext<P, Q, B> {
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  auth: Auth;
  registry: Registry;
  scans?: ScanService;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** One endpoint of /api/v1: its shapes, its documentation and its handler, in one place. */
export interface ApiRoute<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** OpenAPI path template, e.g. /projects/{project}. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** 200, 201 or 202 with `response`, or 204 without a body. */
  status: 200 | 201 | 202 | 204;
  response?: R;
  /** A response that is not JSON (the audit export), described by its media type. */
  rawResponse?: { mediaTypes: string[]; description: string };
  /** Whether anonymous callers reach the handler (which then decides). */
  anonymous?: boolean;
  handler(context: ApiContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R> | void>;
}

export function route<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  R extends z.ZodType,
>(definition: ApiRoute<P, Q, B, R>): ApiRoute {
  return definition as unknown as ApiRoute;
}

/** Registers routes on Fastify, validating input before and output after each handler. */
export function registerRoutes(
  app: FastifyInstance,
  routes: ApiRoute[],
  services: { auth: Auth; registry: Registry; scans?: ScanService },
): void {
  for (const definition of routes) {
    app.route({
      method: definition.method,
      url: definition.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (request, reply) => {
        request.routeKind = 'api';
        const actor = await authenticateApi(services.auth, request, definition.anonymous ?? false);
        const input = {
          params: parse(definition.params, request.params, 'path') as Record<string, unknown>,
          query: parse(definition.query, request.query, 'query') as Record<string, unknown>,
          body: parse(definition.body, request.body, 'body'),
        };
        const result = await definition.handler({ ...input, actor, ...services, request, reply });
        if (reply.sent) return reply;

        reply.code(definition.status);
        if (definition.status === 204) return reply.send();
        return reply.send(definition.response ? definition.response.parse(result) : result);
      },
    });
  }
}

function parse(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return {};
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;

  const issues = result.error.issues.slice(0, 20).map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new RegistryError(
    'INVALID_REQUEST',
    first ? `${first.path}: ${first.message}` : 'invalid request',
    {
      detail: { issues },
    },
  );
}
