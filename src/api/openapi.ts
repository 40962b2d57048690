import { z } from 'zod';
import type { ApiRoute } from './route.js';
import { errorBody } from './schemas.js';

type JsonSchema = Record<string, unknown>;

/** Every answer an endpoint can give besides its success, all in the one error shape. */
const errorStatuses: Record<string, string> = {
  '400': 'the request is invalid (INVALID_REQUEST, NAME_INVALID)',
  '401': 'no or invalid credentials (UNAUTHORIZED)',
  '403': 'the caller may not do this (DENIED)',
  '404': 'no such resource, or one the caller may not see (NOT_FOUND)',
  '409': 'the resource already exists (CONFLICT)',
  '413': 'the request body is too large',
  '415': 'the request body is not JSON',
  '429': 'too many failed sign-ins; see Retry-After (TOOMANYREQUESTS)',
  '500': 'an unexpected failure (UNKNOWN)',
};

/**
 * The OpenAPI 3.1 document of /api/v1, built from the same zod schemas that validate requests
 * and responses, so that it describes exactly what the server does.
 */
export function openApiDocument(routes: ApiRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Berth management API',
      version,
      description:
        'Projects, members, users, robot accounts, quotas and the audit log. Authenticate with ' +
        'HTTP Basic (a user or robot) or with a bearer token from /auth/token carrying the ' +
        'scope berth:api:*.',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      schemas: { Error: schemaOf(errorBody, 'output') },
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    security: [{ basic: [] }, { bearer: [] }],
    paths,
  };
}

function operation(route: ApiRoute): JsonSchema {
  const op: JsonSchema = {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    responses: responses(route),
  };
  if (route.anonymous) op.security = [{}, { basic: [] }, { bearer: [] }];
  if (route.body) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
    };
  }

  return op;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };

  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

function responses(route: ApiRoute): JsonSchema {
  const result: JsonSchema = {};
  const status = String(route.status);
  if (route.rawResponse) {
    result[status] = {
      description: route.rawResponse.description,
      content: { [route.rawResponse.mediaType]: { schema: { type: 'string' } } },
    };
  } else if (route.status === 204 || !route.response) {
    result[status] = { description: 'done' };
  } else {
    result[status] = {
      description: route.summary,
      content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
    };
  }

  for (const [code, description] of Object.entries(errorStatuses)) {
    result[code] = {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return result;
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  delete json.$schema;
  return json;
}
