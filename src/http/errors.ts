import { isAuthError, OAuthError, type AuthErrorKind } from '../auth/index.js';
import { errorCodes, isRegistryError, RegistryError, type ErrorCode } from '../oci/errors.js';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body:
    | { errors: { code: ErrorCode; message: string; detail?: unknown }[] }
    | { error: string; error_description: string };
  /** True when the failure is the server's, to be logged at error level. */
  serverFault: boolean;
}

/**
 * The one place that turns an error into the spec's error body (distribution spec v1.1
 * "Error Codes"). Unexpected errors become UNKNOWN with a generic message: their text may name
 * paths or internals, and it goes to the log instead.
 */
export function errorResponse(err: unknown): ErrorResponse {
  if (err instanceof OAuthError) {
    return {
      status: err.status,
      headers: { 'cache-control': 'no-store' },
      body: { error: err.error, error_description: err.message },
      serverFault: false,
    };
  }
  const registryError = isRegistryError(err)
    ? err
    : (fromAuthError(err) ?? fromStorageFull(err) ?? fromFrameworkError(err));
  if (!registryError) {
    return {
      status: 500,
      headers: {},
      body: { errors: [{ code: 'UNKNOWN', message: errorCodes.UNKNOWN.message }] },
      serverFault: true,
    };
  }

  const entry: { code: ErrorCode; message: string; detail?: unknown } = {
    code: registryError.code,
    message: registryError.message,
  };
  if (registryError.detail !== undefined) entry.detail = registryError.detail;

  return {
    status: registryError.status,
    headers: registryError.headers,
    body: { errors: [entry] },
    // A 503 while shutting down is expected, not a fault to page anyone about.
    serverFault: registryError.status >= 500 && registryError.status !== 503,
  };
}

const authCodes: Record<AuthErrorKind, ErrorCode> = {
  unauthenticated: 'UNAUTHORIZED',
  locked: 'TOOMANYREQUESTS',
  denied: 'DENIED',
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
  invalid: 'INVALID_REQUEST',
};

/** Account and permission failures from src/auth, with Retry-After for a locked account. */
function fromAuthError(err: unknown): RegistryError | undefined {
  if (!isAuthError(err)) return undefined;

  const headers: Record<string, string> =
    err.retryAfter === undefined ? {} : { 'retry-after': String(err.retryAfter) };
  return new RegistryError(authCodes[err.kind], err.message, { headers });
}

/**
 * A full disk (ENOSPC from the blob store, SQLITE_FULL from the database) is the operator's
 * problem, but the client deserves to know it is not theirs: 507 Insufficient Storage (RFC 4918),
 * logged at error. The blob store has already rolled the upload back.
 */
function fromStorageFull(err: unknown): RegistryError | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code !== 'ENOSPC' && code !== 'SQLITE_FULL' && code !== 'EDQUOT') return undefined;

  return new RegistryError(
    'UNAVAILABLE',
    'the registry has no storage space left; try again later',
    {
      status: 507,
    },
  );
}

/** Errors Fastify raises itself (oversized headers, malformed requests) carry a 4xx statusCode. */
function fromFrameworkError(err: unknown): RegistryError | undefined {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;

  const message = err instanceof Error ? err.message : 'bad request';
  const code: ErrorCode =
    status === 413 ? 'SIZE_INVALID' : status === 401 ? 'UNAUTHORIZED' : 'UNSUPPORTED';
  return new RegistryError(code, message, { status });
}
