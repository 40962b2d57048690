/** A failure to tell the user in one line, without a stack trace; the command exits with 1. */
export class CliError extends Error {
  override name = 'CliError';
}

export const loginHint = 'not logged in or session expired; run berth login';

/** Management API calls wait this long for an answer before giving up. */
const timeoutMs = 30_000;

/** The management API (/api/v1) of one server, as an anonymous caller or with a bearer token. */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token?: string,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.request<void>('DELETE', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';

    const response = await fetchFrom(this.server, `/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await readBody(response);
    if (response.status === 401) throw new CliError(loginHint);
    if (!response.ok) throw new CliError(failureMessage(this.server, response, answer));

    return answer as T;
  }
}

/**
 * Builds an API path from a template, encoding each value as one path segment: robot names
 * hold `$` and `+`, and a user name could hold anything the server accepts.
 */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((path, part, i) => {
    const value = values[i - 1];
    return path + (value === undefined ? '' : encodeURIComponent(value)) + part;
  });
}

/** fetch() whose network failures become one line naming the server. */
export async function fetchFrom(
  server: string,
  path: string,
  init: RequestInit,
): Promise<Response> {
  try {
    return await fetch(`${server}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new CliError(unreachable(server, err));
  }
}

/** The body as JSON when it is JSON, as text otherwise, undefined when empty. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;

  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One line from an error response: the management API's `errors` list (src/http/errors.ts), the
 * token endpoint's OAuth2 `error_description`, or else the status a proxy in between answered.
 */
export function failureMessage(server: string, response: Response, body: unknown): string {
  const retry = response.headers.get('retry-after');
  const later = retry ? ` (try again in ${retry}s)` : '';
  const { errors, error_description: description } = (body ?? {}) as {
    errors?: { code?: unknown; message?: unknown }[];
    error_description?: unknown;
  };

  const list = Array.isArray(errors) ? errors : [];
  if (response.status === 404 && !list.some((e) => e.code === 'NOT_FOUND')) {
    // Not a missing project or user: the endpoint itself is missing.
    return `${server} has no Berth management API (is authentication switched off there?)`;
  }
  const messages = list.map((e) => e.message).filter((m): m is string => typeof m === 'string');
  if (messages.length > 0) return `${messages.join('; ')}${later}`;
  if (typeof description === 'string') return `${description}${later}`;

  return `${server} answered ${response.status} ${response.statusText}`.trimEnd() + later;
}

function unreachable(server: string, err: unknown): string {
  if ((err as { name?: unknown } | undefined)?.name === 'TimeoutError') {
    return `${server} did not answer within ${timeoutMs / 1000}s`;
  }
  const cause = (err as { cause?: { code?: string; message?: string; errors?: unknown[] } }).cause;
  const code = cause?.code ?? (cause?.errors?.[0] as { code?: string } | undefined)?.code;

  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return (
      `cannot reach ${server}: its TLS certificate is not trusted (${code}); ` +
      'name its CA in NODE_EXTRA_CA_CERTS'
    );
  }
  if (code) return `cannot reach ${server} (${code})`;

  return cause?.message ? `cannot reach ${server}: ${cause.message}` : `cannot reach ${server}`;
}
