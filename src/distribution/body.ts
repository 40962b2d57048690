import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../oci/errors.js';

/**
 * Reads a small request body (a manifest) whole, refusing it once it passes `maxBytes`. The spec
 * asks registries to take at least 4 MiB and to answer larger ones with 413 (v1.1 "Pushing
 * Manifests"); a declared Content-Length over the limit is refused before any byte is read.
 */
export async function readLimitedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);

  // Plain listeners rather than for-await: leaving an async iterator early destroys the socket,
  // and the 413 could not be sent. On overflow the rest is left unread and the connection is
  // closed after the answer.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= maxBytes) return void chunks.push(chunk);

      request.off('data', onData).off('end', onEnd).pause();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => resolve(Buffer.concat(chunks, total));
    request.on('data', onData).on('end', onEnd).once('error', reject);
  });
}

/** Whether the request carries a body: a non-zero length, or a chunked one of unknown length. */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;

  return request.headers['transfer-encoding'] !== undefined;
}

function tooLarge(maxBytes: number): RegistryError {
  return new RegistryError(
    'MANIFEST_INVALID',
    `manifest is larger than the ${maxBytes}-byte limit`,
    {
      status: 413,
      detail: { limit: maxBytes },
    },
  );
}
