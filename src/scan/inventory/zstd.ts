// A streaming zstd decoder for layers (Node 20 has no zstd in node:zlib). fzstd does the
// decoding; this module walks the frame structure alongside it (RFC 8878, section 3.1) for one
// reason: fzstd allocates each frame's whole window as soon as it sees the frame header, and a
// hostile header may declare a window of up to 2 GiB. Every frame header is therefore checked
// against a limit before fzstd is given it. The walk costs a few byte reads per 128 KiB block.

import { Decompress } from 'fzstd';
import { Duplex } from 'node:stream';
import { setImmediate } from 'node:timers/promises';

const FRAME_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Magic, frame header descriptor, window descriptor, dictionary id, content size. */
const MAX_FRAME_HEADER = 4 + 1 + 1 + 4 + 8;
const BLOCK_HEADER = 3;
const CHECKSUM = 4;

export class ZstdWindowError extends Error {
  constructor(readonly window: number) {
    super(`zstd frame declares a ${window}-byte window, over the limit`);
  }
}

type WalkState =
  | { at: 'frame-header' }
  | { at: 'skippable'; remaining: number }
  | { at: 'block-header'; checksum: boolean }
  | { at: 'block-body'; remaining: number; last: boolean; checksum: boolean }
  | { at: 'checksum'; remaining: number };

/**
 * Output, and time, between two turns of the event loop: decoding is synchronous, and on the
 * main thread. Time counts too, since some input costs time without giving output (thousands of
 * empty frames, each allocating the window it declares).
 */
const YIELD_EVERY_BYTES = 4 * 2 ** 20;
const YIELD_EVERY_MS = 20;

/**
 * Decompresses a stream of zstd frames, refusing frames whose window exceeds `maxWindow`.
 *
 * fzstd decodes synchronously, and a few kilobytes of RLE blocks expand to gigabytes (each
 * 4-byte block is 128 KiB of output). The decoder is therefore given one frame piece at a time
 * (at most one block's output, 128 KiB), hands that on only when the next stage asks for more,
 * and lets the event loop turn every few megabytes, so a decompression bomb costs the server
 * neither memory nor the attention of its other requests.
 */
export function zstdDecoder(maxWindow: number): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<Buffer>) {
    const walker = new FrameWalker(maxWindow);
    let output: Buffer[] = [];
    const decoder = new Decompress((data) => {
      if (data.length > 0) output.push(Buffer.from(data));
    });
    const take = () => {
      const taken = output;
      output = [];
      return taken;
    };
    let sinceYield = 0;
    let lastYield = performance.now();

    for await (const chunk of source) {
      for (const part of walker.accept(chunk)) {
        decoder.push(part);
        for (const decoded of take()) {
          yield decoded;
          sinceYield += decoded.length;
        }
        if (sinceYield >= YIELD_EVERY_BYTES || performance.now() - lastYield >= YIELD_EVERY_MS) {
          await setImmediate();
          sinceYield = 0;
          lastYield = performance.now();
        }
      }
    }
    walker.finish();
    decoder.push(new Uint8Array(0), true);
    yield* take();
  });
}

/**
 * Follows frame and block boundaries. Bytes pass through untouched, except that a frame header
 * is held back until it is complete and its window has been checked.
 */
class FrameWalker {
  private state: WalkState = { at: 'frame-header' };
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly maxWindow: number) {}

  /** Returns the bytes that may go on to the decoder. */
  accept(chunk: Buffer): Buffer[] {
    const released: Buffer[] = [];
    let data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);

    while (data.length > 0) {
      const used = this.step(data);
      if (used === 0) {
        this.held = data;
        break;
      }
      released.push(data.subarray(0, used));
      data = data.subarray(used);
    }

    return released;
  }

  finish(): void {
    const clean = this.state.at === 'frame-header' && this.held.length === 0;
    if (!clean) throw new Error('zstd stream ends inside a frame');
  }

  /** Consumes bytes at the start of `data` for the current state; 0 means more are needed. */
  private step(data: Buffer): number {
    const state = this.state;
    switch (state.at) {
      case 'frame-header':
        return this.frameHeader(data);
      case 'skippable':
      case 'block-body':
      case 'checksum':
        return this.skipBytes(state, data.length);
      case 'block-header':
        return this.blockHeader(data, state.checksum);
    }
  }

  private frameHeader(data: Buffer): number {
    if (data.length < 8) return 0;

    const magic = data.readUInt32LE(0);
    if ((magic & 0xfffffff0) === SKIPPABLE_MAGIC) {
      this.state = { at: 'skippable', remaining: data.readUInt32LE(4) };

      return 8;
    }
    if (magic !== FRAME_MAGIC) throw new Error('not a zstd frame');

    const header = parseFrameHeader(data);
    if (header === undefined) {
      if (data.length >= MAX_FRAME_HEADER) throw new Error('malformed zstd frame header');

      return 0;
    }
    if (header.window > this.maxWindow) throw new ZstdWindowError(header.window);
    this.state = { at: 'block-header', checksum: header.checksum };

    return header.length;
  }

  private blockHeader(data: Buffer, checksum: boolean): number {
    if (data.length < BLOCK_HEADER) return 0;

    const bits = data.readUIntLE(0, BLOCK_HEADER);
    const last = (bits & 1) === 1;
    const type = (bits >> 1) & 3;
    const size = bits >>> 3;
    if (type === 3) throw new Error('reserved zstd block type');

    // An RLE block stores its one byte; raw and compressed blocks store `size` bytes.
    const remaining = type === 1 ? 1 : size;
    this.state = { at: 'block-body', remaining, last, checksum };
    if (remaining === 0) this.afterBody(last, checksum);

    return BLOCK_HEADER;
  }

  private skipBytes(state: Extract<WalkState, { remaining: number }>, available: number): number {
    const used = Math.min(state.remaining, available);
    state.remaining -= used;
    if (state.remaining > 0) return used;

    if (state.at === 'block-body') this.afterBody(state.last, state.checksum);
    else this.state = { at: 'frame-header' };

    return used;
  }

  private afterBody(last: boolean, checksum: boolean): void {
    if (!last) this.state = { at: 'block-header', checksum };
    else if (checksum) this.state = { at: 'checksum', remaining: CHECKSUM };
    else this.state = { at: 'frame-header' };
  }
}

interface FrameHeader {
  length: number;
  window: number;
  checksum: boolean;
}

/** Reads a frame header (RFC 8878, 3.1.1.1); undefined when `data` holds only part of it. */
function parseFrameHeader(data: Buffer): FrameHeader | undefined {
  const descriptor = data[4] ?? 0;
  const singleSegment = (descriptor & 0x20) !== 0;
  const checksum = (descriptor & 0x04) !== 0;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] ?? 0;
  const contentSizeFlag = descriptor >> 6;
  const contentSizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << contentSizeFlag;

  const windowAt = 5;
  const contentSizeAt = windowAt + (singleSegment ? 0 : 1) + dictionaryBytes;
  const length = contentSizeAt + contentSizeBytes;
  if (data.length < length) return undefined;

  const window = singleSegment
    ? readContentSize(data, contentSizeAt, contentSizeBytes)
    : windowSize(data[windowAt] ?? 0);

  return { length, window, checksum };
}

function windowSize(descriptor: number): number {
  const base = 2 ** (10 + (descriptor >> 3));

  return base + (base / 8) * (descriptor & 7);
}

function readContentSize(data: Buffer, at: number, bytes: number): number {
  if (bytes === 8) return data.readUInt32LE(at) + data.readUInt32LE(at + 4) * 2 ** 32;

  const value = data.readUIntLE(at, bytes);

  // A two-byte size is stored minus 256 (RFC 8878, Frame_Content_Size).
  return bytes === 2 ? value + 256 : value;
}
