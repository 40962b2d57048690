import { z } from 'zod';
import type { ApiRoute } from './route.js';
import { errorBody } from './schemas.js';

type JsonSchema = Record<string, unknown>;

/** The document's named schemas; parts of route schemas that zod names land here too. */
type Components = Record<string, JsonSchema>;

/** Every answer an endpoint can give besides its success, all in the one error shape. */
const errorStatuses: Record<string, string> = {
  '400': 'the request is invalid (INVALID_REQUEST, NAME_INVALID)',
  '401': 'no or invalid credentials (UNAUTHORIZED)',
  '403': 'the caller may not do this (DENIED)',
  '404': 'no such resource, or one the caller may not see (NOT_FOUND)',
  '409': 'the resource already exists (CONFLICT)',
  '413': 'the request body is too large',
  '414': 'a path parameter is too long',
  '415': 'the request body is not JSON',
  '429': 'too many failed sign-ins; see Retry-After (TOOMANYREQUESTS)',
  '500': 'an unexpected failure (UNKNOWN)',
};

/**
 * The OpenAPI 3.1 document of /api/v1, built from the same zod schemas that validate requests
 * and responses, so that it describes exactly what the server does.
 */
export function openApiDocument(routes: ApiRoute[], version: string): JsonSchema {
  const schemas: Components = {};
  schemas.Error = schemaOf(errorBody, 'output', schemas);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(
      route,
      schemas,
    );
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
      schemas,
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
    security: [{ basic: [] }, { bearer: [] }],
    paths,
  };
}

function operation(route: ApiRoute, schemas: Components): JsonSchema {
  const op: JsonSchema = {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: [
      ...parameters(route.params, 'path', schemas),
      ...parameters(route.query, 'query', schemas),
    ],
    responses: responses(route, schemas),
  };
  if (route.anonymous) op.security = [{}, { basic: [] }, { bearer: [] }];
  if (route.body) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: schemaOf(route.body, 'input', schemas) } },
    };
  }

  return op;
}

function parameters(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  schemas: Components,
): JsonSchema[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input', schemas) as {
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

function responses(route: ApiRoute, schemas: Components): JsonSchema {
  const result: JsonSchema = {};
  const status = String(route.status);
  if (route.rawResponse) {
    result[status] = {
      description: route.rawResponse.description,
      content: Object.fromEntries(
        route.rawResponse.mediaTypes.map((type) => [type, { schema: rawSchema(type) }]),
      ),
    };
  } else if (route.status === 204 || !route.response) {
    result[status] = { description: 'done' };
  } else {
    result[status] = {
      description: route.summary,
      content: { 'application/json': { schema: schemaOf(route.response, 'output', schemas) } },
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

function schemaOf(schema: z.ZodType, io: 'input' | 'output', schemas: Components): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  delete json.$schema;

  return hoistDefinitions(json, schemas);
}

/**
 * zod writes recursion with references of its own: `#` for a schema that contains itself,
 * `#/$defs/NAME` for a recursive part, both meaning the document's root once inside it. Such
 * schemas move to the document's components, under names unique across every route.
 */
function hoistDefinitions(json: JsonSchema, schemas: Components): JsonSchema {
  const definitions = (json.$defs ?? {}) as Components;
  delete json.$defs;
  const recursiveRoot = JSON.stringify(json).includes('"$ref":"#"');
  if (Object.keys(definitions).length === 0 && !recursiveRoot) return json;

  const renamed = new Map<string, string>();
  for (const name of [...Object.keys(definitions), ...(recursiveRoot ? ['#'] : [])]) {
    const unique = uniqueName(name.replace(/^[_#]+/, '') || 'Schema', schemas);
    renamed.set(name, unique);
    schemas[unique] = {};
  }
  for (const [name, definition] of Object.entries(definitions)) {
    schemas[renamed.get(name)!] = withRefsRenamed(definition, renamed) as JsonSchema;
  }
  if (!recursiveRoot) return withRefsRenamed(json, renamed) as JsonSchema;

  schemas[renamed.get('#')!] = withRefsRenamed(json, renamed) as JsonSchema;
  return { $ref: `#/components/schemas/${renamed.get('#')}` };
}

function uniqueName(base: string, taken: Components): string {
  let name = base;
  for (let n = 2; name in taken; n++) name = `${base}${n}`;

  return name;
}

function withRefsRenamed(value: unknown, renamed: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withRefsRenamed(item, renamed));
  if (value === null || typeof value !== 'object') return value;

  const entries = Object.entries(value).map(([key, item]) => {
    if (key !== '$ref' || typeof item !== 'string') return [key, withRefsRenamed(item, renamed)];

    const local = item === '#' ? '#' : /^#\/\$defs\/(.+)$/.exec(item)?.[1];
    const target = local === undefined ? undefined : renamed.get(local);
    return [key, target ? `#/components/schemas/${target}` : item];
  });
  return Object.fromEntries(entries);
}

/** A JSON document whose shape another specification owns (CycloneDX, SPDX), or plain text. */
function rawSchema(mediaType: string): JsonSchema {
  return /[/+]json$/.test(mediaType) ? { type: 'object' } : { type: 'string' };
}
