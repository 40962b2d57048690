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

  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      request.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks, total);
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
