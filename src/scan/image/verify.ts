import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { ImageSourceError } from './errors.js';

/**
 * Passes a blob through while hashing it, and fails the stream at its end when the content
 * does not hash to its digest: content from a registry or a file is checked, not trusted.
 * Digests of algorithms Node cannot compute pass through unchecked.
 */
export function verifiedStream(digest: string, blob: Readable): Readable {
  const [algorithm = '', expected = ''] = digest.split(':');
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return blob;

  const hash = createHash(algorithm);
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = hash.digest('hex');
      callback(
        actual === expected
          ? null
          : new ImageSourceError('corrupt', `blob ${digest} does not match its digest`),
      );
    },
  });
  blob.on('error', (error) => check.destroy(error));

  return blob.pipe(check);
}

/** Reads a whole small blob, refusing more than `maxBytes`. */
export async function readAll(blob: Readable, what: string, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of blob) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      blob.destroy();
      throw new ImageSourceError('corrupt', `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks);
}
