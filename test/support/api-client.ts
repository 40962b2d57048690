/**
 * A client for Berth's management API (/api/v1) and token endpoint, for tests. Every test that
 * talks to /api/v1 goes through it, so the checks it makes on each exchange apply everywhere:
 * each request and answer must match the server's own OpenAPI document (/api/v1/openapi.json),
 * and exchanges with /auth/* the document in auth-document.ts. A mismatch throws ContractError.
 */
import { authDocument } from './auth-document.js';
import { OpenApiChecker, type Answer, type Exchange } from './openapi-checker.js';

export { ContractError } from './openapi-checker.js';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiRequest {
  /** A bearer token, or a user and password sent as Basic credentials. */
  token?: string;
  basic?: { username: string; password: string };
  body?: unknown;
  /** Fields sent as an application/x-www-form-urlencoded body (the token endpoint's POST). */
  form?: Record<string, string | string[]>;
  /** A raw body sent as is, for malformed-input tests; implies `invalid`. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * The request breaks the document on purpose (a bad field, an unknown route): it is sent
   * unchecked, and only the answer is held to the document, or to its error shape.
   */
  invalid?: boolean;
}

/** Not described by any document: the document itself. */
const documentPath = '/openapi.json';

/** One checker per server, built from the document it serves, on first use. */
const apiCheckers = new Map<string, Promise<OpenApiChecker>>();
let authChecker: OpenApiChecker | undefined;

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  get<T = unknown>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
    return this.send<T>('GET', path, request);
  }

  post<T = unknown>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
    return this.send<T>('POST', path, request);
  }

  put<T = unknown>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
    return this.send<T>('PUT', path, request);
  }

  patch<T = unknown>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
    return this.send<T>('PATCH', path, request);
  }

  delete<T = unknown>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
    return this.send<T>('DELETE', path, request);
  }

  /** An API token (scope berth:api:*) for a user or robot, from the token endpoint. */
  async login(username: string, password: string): Promise<string> {
    const response = await this.post<{ access_token?: string }>('/auth/token', {
      form: {
        grant_type: 'password',
        username,
        password,
        client_id: 'berth-tests',
        scope: 'berth:api:*',
      },
    });
    if (response.status !== 200 || !response.body.access_token) {
      const shown = JSON.stringify(response.body);
      throw new Error(`login as ${username} failed: ${response.status} ${shown}`);
    }

    return response.body.access_token;
  }

  async send<T>(method: string, path: string, request: ApiRequest): Promise<ApiResponse<T>> {
    const { body, contentType } = requestBody(request);
    const exchange: Exchange = {
      method,
      path,
      contentType,
      body: request.form ? body : request.body,
      invalid: request.invalid === true || request.rawBody !== undefined,
    };
    const checker = await contractCheckerFor(this.baseUrl, path);
    checker?.checkRequest(exchange);

    const headers: Record<string, string> = { ...request.headers, ...authorization(request) };
    if (contentType) headers['content-type'] = contentType;
    const response = await fetch(this.urlOf(path), { method, headers, body });
    const answer = await answerOf(response);
    checker?.checkResponse(exchange, answer);

    return { status: answer.status, headers: response.headers, body: answer.body as T };
  }

  private urlOf(path: string): string {
    return path.startsWith('/auth/') ? this.baseUrl + path : `${this.baseUrl}/api/v1${path}`;
  }
}

/**
 * The checker for one path of a server: the auth document for /auth/*, the server's own
 * document for the rest of /api/v1 (whose paths are given below /api/v1), none for the
 * document itself.
 */
export async function contractCheckerFor(
  baseUrl: string,
  path: string,
): Promise<OpenApiChecker | undefined> {
  if (path.startsWith('/auth/')) return (authChecker ??= new OpenApiChecker(authDocument));
  if (path.split('?')[0] === documentPath) return undefined;

  let checker = apiCheckers.get(baseUrl);
  if (!checker) {
    checker = fetchDocument(baseUrl).then((document) => new OpenApiChecker(document));
    // A server that was not up yet must not poison later tries.
    checker.catch(() => apiCheckers.delete(baseUrl));
    apiCheckers.set(baseUrl, checker);
  }
  return checker;
}

async function fetchDocument(baseUrl: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/api/v1${documentPath}`);
  if (response.status !== 200) {
    throw new Error(`GET /api/v1${documentPath} answered ${response.status}`);
  }

  return (await response.json()) as Record<string, unknown>;
}

function requestBody(request: ApiRequest): { body?: string; contentType?: string } {
  if (request.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(request.form)) {
      for (const item of [value].flat()) form.append(name, item);
    }
    return {
      body: form.toString(),
      contentType: request.contentType ?? 'application/x-www-form-urlencoded',
    };
  }

  const body = request.body !== undefined ? JSON.stringify(request.body) : request.rawBody;
  if (body === undefined) return {};
  return { body, contentType: request.contentType ?? 'application/json' };
}

/** Basic credentials win when a request carries both. */
function authorization(request: ApiRequest): Record<string, string> {
  if (request.basic) {
    const pair = `${request.basic.username}:${request.basic.password}`;
    return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  }

  return request.token ? { authorization: `Bearer ${request.token}` } : {};
}

/** The answer, its body parsed when it is JSON (not JSON lines, which stay text). */
async function answerOf(response: Response): Promise<Answer> {
  return parsedAnswer(response.status, response.headers.get('content-type'), await response.text());
}

/** An answer as the checker takes it, from its status, content type and text. */
export function parsedAnswer(status: number, contentType: string | null, text: string): Answer {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const isJson = mediaType === 'application/json' || mediaType.endsWith('+json');

  return {
    status,
    contentType,
    body: isJson && text !== '' ? JSON.parse(text) : text,
  };
}
