import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Log policy (docs/operations.md): one line per request at completion; server faults at error
 * with the stack, client errors at info, expected misses (404 on HEAD) and probes at debug.
 * Messages are static and lowercase; values go in fields. Credentials never reach a line:
 * headers are not logged at all, and query values named like secrets are masked.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'berth' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.token',
          '*.secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * Query parameter names that may carry credentials: passwords, tokens, signatures and keys of
 * signed URLs (S3's X-Amz-*, GCS's X-Goog-*, Azure's sig), sessions and codes. Matching on parts
 * of the name errs on the side of masking.
 */
const secretParams =
  /pass|pwd|token|secret|sig|credential|key|auth|bearer|session|state|jwt|code|cookie|sas|^pat$/i;

/** The request path with the values of secret-looking query parameters masked. */
export function loggablePath(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;

  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) if (secretParams.test(key)) params.set(key, '[redacted]');
  const rest = params.toString();
  return rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q);
}

export function levelFor(
  status: number,
  method: string,
  route: string | undefined,
): 'error' | 'info' | 'debug' {
  if (status >= 500) return 'error';
  // A portal page load is a dozen file requests; the API calls it makes are logged as usual.
  if (route === 'health' || route === 'metrics' || route === 'portal') return 'debug';
  if (status === 404 && method === 'HEAD') return 'debug';

  return 'info';
}
