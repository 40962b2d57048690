import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decodeLayer, detectCompression } from '../../../../src/scan/inventory/decompress.js';
import { zstdDecoder, ZstdWindowError } from '../../../../src/scan/inventory/zstd.js';
import { file, tarOf } from './layers.js';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/scan/inventory');

async function decode(data: Buffer, chunkSize = 7, maxWindow = 2 ** 27): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const source = Readable.from(
    Array.from({ length: Math.ceil(data.length / chunkSize) }, (_, index) =>
      data.subarray(index * chunkSize, (index + 1) * chunkSize),
    ),
  );
  await pipeline(source, zstdDecoder(maxWindow), async (output: AsyncIterable<Buffer>) => {
    for await (const chunk of output) chunks.push(chunk);
  });

  return Buffer.concat(chunks);
}

describe('detectCompression', () => {
  it('reads the magic bytes', async () => {
    const tarball = await tarOf([file('a', 'b')]);

    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectCompression(tarball)).toBe('none');
    expect(() => detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))).toThrow('xz');
  });
});

describe('zstdDecoder', () => {
  it('decodes a frame written by the zstd program, fed a few bytes at a time', async () => {
    const tarball = await decode(readFileSync(path.join(fixtures, 'alpine.tar.zst')));

    expect(tarball.subarray(257, 262).toString()).toBe('ustar');
    expect(tarball.toString('latin1')).toContain('P:libcrypto3');
  });

  it('decodes several frames and skips skippable frames', async () => {
    const single = await decode(readFileSync(path.join(fixtures, 'alpine.tar.zst')), 4096);
    const framed = await decode(readFileSync(path.join(fixtures, 'alpine-frames.tar.zst')), 5);

    expect(framed.equals(single)).toBe(true);
  });

  it('lets the event loop turn while a small input expands to a gigabyte', async () => {
    // One frame with a 128 KiB window and 8192 RLE blocks of 128 KiB zeros: 32 KiB in, 1 GiB
    // out, handed over as one chunk, which a decoder working synchronously would expand
    // without the event loop ever turning.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3]);
    const blocks = Array.from({ length: 8192 }, (_, i) => {
      const last = i === 8191 ? 1 : 0;
      const bits = last | (1 << 1) | (2 ** 17 * 8);
      return Buffer.from([bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, 0x00]);
    });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    let bytes = 0;
    let largest = 0;

    try {
      await pipeline(
        Readable.from([Buffer.concat([header, ...blocks])]),
        zstdDecoder(2 ** 27),
        async (output: AsyncIterable<Buffer>) => {
          for await (const chunk of output) {
            bytes += chunk.length;
            largest = Math.max(largest, chunk.length);
          }
        },
      );
    } finally {
      clearInterval(ticker);
    }

    expect(bytes).toBe(2 ** 30);
    expect(largest).toBeLessThanOrEqual(2 ** 17);
    expect(turns).toBeGreaterThan(10);
  });

  it('lets the event loop turn through frames that give no output at all', async () => {
    // 1000 empty frames, each declaring a 128 MiB window (which fzstd allocates) and holding one
    // empty last block: no output to count, only time.
    const frame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 17 << 3, 0x01, 0x00, 0x00]);
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);

    try {
      const output = await decode(
        Buffer.concat(Array.from({ length: 1000 }, () => frame)),
        2 ** 20,
      );
      expect(output.length).toBe(0);
    } finally {
      clearInterval(ticker);
    }

    expect(turns).toBeGreaterThan(10);
  });

  it('refuses a frame whose window is over the limit before allocating it', async () => {
    // Magic, descriptor (no single segment, no checksum), window descriptor 2^(10+21) = 2 GiB.
    const hostile = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3, 0x01, 0x00, 0x00]);

    await expect(decode(hostile, 4096, 2 ** 27)).rejects.toBeInstanceOf(ZstdWindowError);
  });

  it('refuses a single-segment frame declaring a huge content size', async () => {
    // Single segment, 8-byte content size of 1 TiB: the window is the content size.
    const size = Buffer.alloc(8);
    size.writeUInt32LE(0, 0);
    size.writeUInt32LE(256, 4);
    const hostile = Buffer.concat([
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]),
      size,
      Buffer.alloc(3),
    ]);

    await expect(decode(hostile)).rejects.toBeInstanceOf(ZstdWindowError);
  });

  it('fails on a stream cut inside a frame', async () => {
    const frame = readFileSync(path.join(fixtures, 'alpine.tar.zst'));

    await expect(decode(frame.subarray(0, frame.length - 10))).rejects.toThrow();
  });
});

describe('decodeLayer', () => {
  it('reads a blob shorter than the sniffed head', async () => {
    const decoded = await decodeLayer(Readable.from([Buffer.alloc(0)]), {
      maxLayerBytes: 100,
      maxZstdWindowBytes: 100,
    });

    expect(decoded.compression).toBe('none');
  });
});
