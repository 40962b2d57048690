// Turns a layer blob into its tar stream. The compression is read from the first bytes rather
// than from the media type: registries and docker archives are known to mislabel layers
// (uncompressed tars under a +gzip type), and the magic bytes are never wrong.

import { Readable, Transform, type Duplex, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { zstdDecoder } from './zstd.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const BZIP2_MAGIC = Buffer.from('BZh');
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
/** POSIX tar puts "ustar" at offset 257 of each header block. */
const USTAR_AT = 257;
const HEAD_BYTES = 512;

export class LayerFormatError extends Error {}

export class LayerLimitError extends Error {}

/** Names the compression from a layer's first bytes, or explains why it is unsupported. */
export function detectCompression(head: Buffer): Compression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  if (startsWith(head, BZIP2_MAGIC)) throw new LayerFormatError('bzip2 layers are not supported');
  if (startsWith(head, XZ_MAGIC)) throw new LayerFormatError('xz layers are not supported');
  if (head.length === 0 || looksLikeTar(head)) return 'none';

  throw new LayerFormatError('not a gzip, zstd or tar stream');
}

export interface DecodedLayer {
  compression: Compression;
  /** The blob stream, positioned at its start again. */
  source: Readable;
  /** Decompress, then count; the count fails with LayerLimitError past maxLayerBytes. */
  transforms: Duplex[];
  /** Uncompressed bytes that have passed so far. */
  bytesRead(): number;
}

/** Reads the first bytes of a layer blob and picks the decoders for the rest. */
export async function decodeLayer(
  blob: Readable,
  limits: { maxLayerBytes: number; maxZstdWindowBytes: number },
): Promise<DecodedLayer> {
  const { head, source } = await readHead(blob, HEAD_BYTES);
  const compression = detectCompression(head);

  const transforms: Duplex[] = [];
  if (compression === 'gzip') transforms.push(createGunzip());
  if (compression === 'zstd') transforms.push(zstdDecoder(limits.maxZstdWindowBytes));
  const counter = byteCounter(limits.maxLayerBytes);
  transforms.push(counter.stream);

  return { compression, source, transforms, bytesRead: () => counter.seen };
}

/** Counts bytes through; fails once more than `max` have passed. */
function byteCounter(max: number): { stream: Transform; seen: number } {
  const counter = {
    seen: 0,
    stream: new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        counter.seen += chunk.length;
        if (counter.seen > max) {
          return callback(new LayerLimitError(`layer is larger than ${max} bytes uncompressed`));
        }
        callback(null, chunk);
      },
    }),
  };

  return counter;
}

/**
 * Reads up to `size` bytes and puts them back, so the caller can look before choosing how to
 * read. A stream that ended already is replaced by one replaying its bytes.
 */
function readHead(blob: Readable, size: number): Promise<{ head: Buffer; source: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;

    const cleanup = (): void => {
      blob.off('readable', onReadable);
      blob.off('end', onEnd);
      blob.off('error', onError);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (length < size && (chunk = blob.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        length += chunk.length;
      }
      if (length < size) return;

      cleanup();
      const head = Buffer.concat(chunks);
      blob.unshift(head);
      resolve({ head, source: blob });
    };
    const onEnd = (): void => {
      cleanup();
      const head = Buffer.concat(chunks);
      resolve({ head, source: Readable.from(head.length > 0 ? [head] : []) });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };

    blob.on('readable', onReadable);
    blob.once('end', onEnd);
    blob.once('error', onError);
  });
}

function startsWith(data: Buffer, magic: Buffer): boolean {
  return data.length >= magic.length && data.subarray(0, magic.length).equals(magic);
}

/**
 * A tar starts with a header block: "ustar" at 257 for POSIX and GNU tars; old v7 tars have no
 * magic, so a header whose checksum field holds octal digits is accepted too. An empty layer is
 * often just the end-of-archive marker, zero blocks.
 */
function looksLikeTar(head: Buffer): boolean {
  if (head.subarray(USTAR_AT, USTAR_AT + 5).toString('latin1') === 'ustar') return true;
  if (head.every((byte) => byte === 0)) return true;

  const checksum = head.subarray(148, 156).toString('latin1');

  return head.length >= 512 && /^[0-7 \0]+$/.test(checksum) && /[0-7]/.test(checksum);
}
