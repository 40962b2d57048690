/** A resolved byte range, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'satisfiable'; range: ByteRange }
  | { kind: 'unsatisfiable'; reason: string };

/**
 * Resolves a `Range: bytes=…` header against a blob of `size` bytes (RFC 9110 §14.1.2).
 * Single ranges only: `a-b`, `a-` and `-n`; an end past the last byte is clamped. A request for
 * several ranges is refused rather than answered with the whole blob: lazy-pulling snapshotters
 * send them and fall back to single ranges on an error, but misread a full 200 body. A header in
 * another unit is not a byte-range request and is ignored (§14.2).
 */
export function resolveRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'none' };

  const unit = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!unit) return { kind: 'none' };
  const spec = unit[1] ?? '';
  if (spec.includes(',')) return unsatisfiable('multiple ranges are not supported');

  const match = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(spec);
  const [, first = '', last = ''] = match ?? [];
  if (!match || (first === '' && last === '')) return unsatisfiable('malformed range');

  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return unsatisfiable('empty suffix range');
    return { kind: 'satisfiable', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }

  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return unsatisfiable('range ends before it starts');
  if (start >= size) return unsatisfiable('range starts past the end of the blob');

  return { kind: 'satisfiable', range: { start, end } };
}

function unsatisfiable(reason: string): RangeRequest {
  return { kind: 'unsatisfiable', reason };
}

/**
 * Parses an upload chunk's `Content-Range: <start>-<end>` (distribution spec v1.1 "Pushing a
 * blob in chunks"): no `bytes=` prefix, both ends inclusive. Some clients send the HTTP form
 * `bytes a-b/*`, which is read the same way.
 */
export function parseChunkRange(header: string): ByteRange | undefined {
  const match = /^\s*(?:bytes[ =])?\s*(\d+)-(\d+)(?:\/(?:\d+|\*))?\s*$/i.exec(header);
  if (!match) return undefined;

  const start = Number(match[1]);
  const end = Number(match[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;

  return { start, end };
}
