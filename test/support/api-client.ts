/**
 * A client for Berth's management API (/api/v1) and token endpoint, for tests. Every test that
 * talks to /api/v1 goes through it, so the checks it makes on each exchange apply everywhere.
 */

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
  /** A raw body sent as is, for malformed-input tests. */
  rawBody?: string;
  /** The request breaks the API's rules on purpose: only the error response is checked. */
  invalid?: boolean;
  contentType?: string;
  headers?: Record<string, string>;
}

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
    const response = await fetch(`${this.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username,
        password,
        client_id: 'berth-tests',
        scope: 'berth:api:*',
      }).toString(),
    });
    const body = (await response.json()) as { access_token?: string };
    if (response.status !== 200 || !body.access_token) {
      throw new Error(`login as ${username} failed: ${response.status} ${JSON.stringify(body)}`);
    }

    return body.access_token;
  }

  async send<T>(method: string, path: string, request: ApiRequest): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (request.basic) {
      const pair = `${request.basic.username}:${request.basic.password}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }

    let body: string | undefined = request.rawBody;
    if (request.body !== undefined) body = JSON.stringify(request.body);
    if (body !== undefined) headers['content-type'] = request.contentType ?? 'application/json';

    const url = path.startsWith('/auth/') ? this.baseUrl + path : `${this.baseUrl}/api/v1${path}`;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json') && text !== '';

    return {
      status: response.status,
      headers: response.headers,
      body: (isJson ? JSON.parse(text) : text) as T,
    };
  }
}
