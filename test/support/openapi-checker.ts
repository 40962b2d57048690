/**
 * Checks exchanges with an HTTP API against an OpenAPI 3.1 document: the request a test sends
 * (its parameters and body) and the answer it gets (a status the document lists for the
 * operation, of the documented media type and shape). ApiClient runs every exchange through
 * one, so a route whose document drifts from what it does fails every test that touches it.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

type JsonObject = Record<string, unknown>;

interface MediaTypeObject {
  schema?: JsonObject;
}

interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, { content?: Record<string, MediaTypeObject> }>;
}

/** One operation, with what it takes to recognise its URLs. */
interface Operation {
  name: string;
  method: string;
  spec: OperationObject;
  /** JSON pointer to the operation inside the document. */
  pointer: string;
  pattern: RegExp;
  pathNames: string[];
  /** Literal segments win over templated ones (OpenAPI 3.1 "Paths Object"). */
  templated: number;
}

export interface Exchange {
  method: string;
  /** The path below the document's server URL, with any query string. */
  path: string;
  /** Media type of the request body, when there is one. */
  contentType?: string;
  /** The request body: a JSON value, or the text of a form. */
  body?: unknown;
  /** A request malformed on purpose: only the answer is checked, not the request. */
  invalid?: boolean;
}

export interface Answer {
  status: number;
  contentType: string | null;
  /**
   * Parsed JSON for JSON media types, the text otherwise ('' when empty); undefined when the
   * body was not seen (a browser dropped it), and then only the status and media type count.
   */
  body: unknown;
}

/** An exchange that does not match the document; thrown so that the test fails. */
export class ContractError extends Error {
  override name = 'ContractError';
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const documentId = 'https://berth.invalid/openapi.json';

export class OpenApiChecker {
  private readonly ajv = newAjv(false);
  /** Parameters arrive as strings (or lists of them): this instance coerces them as documented. */
  private readonly parameterAjv = newAjv('array');
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: JsonObject) {
    this.ajv.addSchema({ ...document, $id: documentId });

    const paths = (document.paths ?? {}) as Record<string, Record<string, OperationObject>>;
    for (const [template, item] of Object.entries(paths)) {
      for (const method of methods.filter((m) => item[m])) {
        this.operations.push(operationOf(template, method, item[method]!));
      }
    }
    this.operations.sort((a, b) => a.templated - b.templated);
  }

  /** Throws when a request that is meant to be valid is not what the document describes. */
  checkRequest(exchange: Exchange): void {
    const { operation, pathValues } = this.find(exchange);
    if (exchange.invalid || !operation) return;

    const query = new URL(exchange.path, 'http://checker.invalid').searchParams;
    this.checkParameters(operation, 'path', pathValues, exchange);
    this.checkParameters(operation, 'query', fieldsOf(query), exchange);
    this.checkRequestBody(operation, exchange);
  }

  /** Throws when the answer is not one the document lists for the operation. */
  checkResponse(exchange: Exchange, answer: Answer): void {
    const { operation } = this.find(exchange);
    if (!operation) {
      // Only a malformed request gets this far: it must be refused in the common error shape.
      if (answer.status < 400) fail(exchange, `answered ${answer.status} to an unknown operation`);
      this.validate('/components/schemas/Error', answer.body, exchange, 'the error body');
      return;
    }

    const responses = operation.spec.responses;
    const key = [String(answer.status), `${String(answer.status)[0]}XX`, 'default'].find(
      (k) => responses[k],
    );
    if (!key) {
      const listed = Object.keys(responses).join(', ');
      fail(
        exchange,
        `answered ${answer.status}, which ${operation.name} does not list (${listed})`,
      );
    }
    this.checkResponseBody(operation, key, exchange, answer);
  }

  private find(exchange: Exchange): { operation?: Operation; pathValues: JsonObject } {
    const method = exchange.method.toLowerCase();
    const pathname = exchange.path.split('?')[0] ?? '';
    for (const operation of this.operations) {
      const match = operation.pattern.exec(pathname);
      if (!match || operation.method !== method) continue;

      const values = operation.pathNames.map((name, i) => [name, decode(match[i + 1] ?? '')]);
      return { operation, pathValues: Object.fromEntries(values) as JsonObject };
    }

    if (!exchange.invalid) fail(exchange, 'the document has no such operation');
    return { pathValues: {} };
  }

  private checkParameters(
    operation: Operation,
    location: 'path' | 'query',
    values: JsonObject,
    exchange: Exchange,
  ): void {
    const key = `${operation.pointer}?${location}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.parameterAjv.compile(parameterSchema(operation.spec, location));
      this.compiled.set(key, validate);
    }

    if (!validate(values)) {
      fail(exchange, `${location} parameters do not match: ${errorsText(validate.errors)}`);
    }
  }

  private checkRequestBody(operation: Operation, exchange: Exchange): void {
    const documented = operation.spec.requestBody;
    if (exchange.body === undefined) {
      if (documented?.required) fail(exchange, 'the operation requires a request body');
      return;
    }
    const mediaType = baseType(exchange.contentType ?? 'application/json');
    const content = documented?.content[mediaType];
    if (!content) fail(exchange, `the operation takes no ${mediaType} request body`);

    const pointer = `${operation.pointer}/requestBody/content/${escape(mediaType)}/schema`;
    const body =
      mediaType === 'application/x-www-form-urlencoded' ? formObject(exchange.body) : exchange.body;
    if (content.schema) this.validate(pointer, body, exchange, 'the request body');
  }

  private checkResponseBody(
    operation: Operation,
    key: string,
    exchange: Exchange,
    answer: Answer,
  ): void {
    const content = operation.spec.responses[key]?.content;
    if (!content) {
      if (answer.body !== '' && answer.body !== undefined)
        fail(exchange, `answered ${answer.status} with a body, documented as empty`);
      return;
    }

    const mediaType = baseType(answer.contentType ?? '');
    if (!content[mediaType]) {
      const listed = Object.keys(content).join(', ');
      fail(exchange, `answered ${answer.status} as "${mediaType}", documented as ${listed}`);
    }
    const pointer = `${operation.pointer}/responses/${escape(key)}/content/${escape(mediaType)}/schema`;
    if (content[mediaType]?.schema && answer.body !== undefined)
      this.validate(pointer, answer.body, exchange, `the ${answer.status} body`);
  }

  private validate(pointer: string, value: unknown, exchange: Exchange, what: string): void {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`${documentId}#${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      this.compiled.set(pointer, validate);
    }
    if (validate(value)) return;

    const shown = JSON.stringify(value)?.slice(0, 600);
    fail(exchange, `${what} does not match the document: ${errorsText(validate.errors)}\n${shown}`);
  }
}

function newAjv(coerceTypes: boolean | 'array'): Ajv2020 {
  // Not strict: OpenAPI adds keywords of its own (discriminator, example, …) to JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes, validateFormats: true });
  formats.default(ajv);
  return ajv;
}

function operationOf(template: string, method: string, spec: OperationObject): Operation {
  const pathNames: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (!part.startsWith('{')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      pathNames.push(part.slice(1, -1));
      return '([^/]+)';
    })
    .join('');

  return {
    name: spec.operationId ?? `${method.toUpperCase()} ${template}`,
    method,
    spec,
    pointer: `/paths/${escape(template)}/${method}`,
    pattern: new RegExp(`^${source}$`),
    pathNames,
    templated: pathNames.length,
  };
}

/** The parameters of one location as an object schema; undocumented ones are refused. */
function parameterSchema(spec: OperationObject, location: 'path' | 'query'): JsonObject {
  const parameters = (spec.parameters ?? []).filter((p) => p.in === location);

  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema ?? {}])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

/** A form's fields, read as query parameters are. */
function formObject(body: unknown): JsonObject {
  return fieldsOf(new URLSearchParams(String(body)));
}

/** Fields of a query or form; one given more than once becomes a list (OpenAPI's form style). */
function fieldsOf(fields: URLSearchParams): JsonObject {
  const values: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    const previous = values[name];
    values[name] = previous === undefined ? value : [previous, value].flat();
  }
  return values;
}

/** JSON pointer escaping (RFC 6901), then URI escaping for use in a `$ref` fragment. */
function escape(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function baseType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function errorsText(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

function fail(exchange: Exchange, problem: string): never {
  throw new ContractError(`${exchange.method} ${exchange.path}: ${problem}`);
}
