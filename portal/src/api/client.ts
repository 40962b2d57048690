import { freshToken, renew } from './session';

/** An error answer of the management API: its status and its first error's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
}

/** Paths of the portal's own API calls are under /api/v1; nothing private is used. */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();

  return `/api/v1${path}${search ? `?${search}` : ''}`;
}

/** Encodes a repository name (slashes included) as one path segment. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}) {
  let response = await send(method, path, options, await freshToken());
  // The token may have been revoked or expired early (clock skew): renew once and retry.
  if (response.status === 401) {
    const renewed = await renew();
    if (renewed) response = await send(method, path, options, renewed.accessToken);
  }

  return answer<T>(response);
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', path, { query });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, { body });
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, { body });
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, { body });
export const del = (path: string) => api<void>('DELETE', path);

function send(
  method: string,
  path: string,
  options: RequestOptions,
  token: string | null,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';

  return fetch(apiUrl(path, options.query), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (response.ok) return body as T;

  const first = (body as { errors?: { code: string; message: string }[] } | undefined)?.errors?.[0];
  throw new ApiError(
    response.status,
    first?.code ?? 'UNKNOWN',
    first?.message ?? `request failed (${response.status})`,
  );
}
