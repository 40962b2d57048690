import type { Hash } from 'node:crypto';
import type { QuotaHold } from './quota.js';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through while feeding them to a hash, so content is digested as it streams. */
export function hashingStream(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * Fails the stream when the body is not exactly `expected` bytes long. Failing, rather than
 * checking afterwards, makes the blob store roll the upload back to where it was.
 */
export function exactLengthStream(
  expected: number,
  onMismatch: (actual: number) => Error,
): Transform {
  let seen = 0;

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > expected) return callback(onMismatch(seen));
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      callback(seen === expected ? null : onMismatch(seen));
    },
  });
}

/** Holds each chunk's bytes against a quota, and fails the stream once the quota is full. */
export function holdingStream(hold: QuotaHold, onExceeded: () => Error): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!hold.add(chunk.length)) return callback(onExceeded());
      callback(null, chunk);
    },
  });
}
