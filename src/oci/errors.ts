/**
 * The one registry of error codes. Each entry pairs a code from the OCI distribution spec
 * ("Error Codes", v1.1) with the HTTP status Berth answers it with. Domain code throws
 * RegistryError with one of these codes; src/http/errors.ts is the only place that turns a
 * RegistryError into a response body.
 */
export const errorCodes = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: {
    status: 400,
    message: 'manifest references a manifest or blob unknown to registry',
  },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  // Not in the OCI table; distribution uses the same two codes for unexpected failures and
  // for a registry that cannot serve right now.
  UNKNOWN: { status: 500, message: 'unknown error' },
  // The management API (/api/v1) answers in the same error shape with these further codes.
  INVALID_REQUEST: { status: 400, message: 'the request is invalid' },
  NOT_FOUND: { status: 404, message: 'not found' },
  CONFLICT: { status: 409, message: 'the resource already exists or changed meanwhile' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorOptions {
  /** HTTP status when it differs from the code's default (416 for an out-of-order chunk). */
  status?: number;
  /** Structured detail sent to the client in the error body. */
  detail?: unknown;
  /** Extra response headers (Range and Location on 416, Retry-After on 429). */
  headers?: Record<string, string>;
}

/** A failure the client can act on; carries its spec code and, optionally, a detail. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, options: ErrorOptions = {}) {
    super(message ?? errorCodes[code].message);
    this.name = 'RegistryError';
    this.code = code;
    this.status = options.status ?? errorCodes[code].status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}
