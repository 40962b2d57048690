import type { FileHandle } from 'node:fs/promises';
import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';

const minChunkSize = 64 * 1024;
const maxChunkSize = 1024 * 1024;
/** Chunks a stream may have handed to its destination and not yet had back. */
const chunksInFlight = 2;

/**
 * Read buffers shared by the blob streams of one store. A pull reads into a buffer, hands it to
 * the socket and gets it back once the socket has written it, so serving a blob allocates
 * nothing per chunk: no garbage for the collector to chase, and no resident memory left behind
 * by freed buffers. Chunks are 1 MiB while few streams are open (64 KiB reads cost 2-3x more
 * CPU per byte on loopback) and shrink as more streams share `budget`, which bounds the memory
 * a crowd of pulls can pin.
 */
export class ReadBuffers {
  private streams = 0;
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;

  constructor(private readonly budget: number) {}

  opened(): void {
    this.streams += 1;
  }

  closed(): void {
    this.streams -= 1;
  }

  /** The size of the next read: the largest that keeps every open stream within the budget. */
  chunkSize(): number {
    let size = maxChunkSize;
    while (size > minChunkSize && size * chunksInFlight * this.streams > this.budget) size /= 2;

    return size;
  }

  take(size: number): Buffer {
    const reused = this.free.get(size)?.pop();
    if (!reused) return Buffer.allocUnsafeSlow(size);

    this.freeBytes -= size;
    return reused;
  }

  /** Takes a buffer back once nothing refers to it any more; a surplus is left to the collector. */
  give(buffer: Buffer): void {
    if (this.freeBytes + buffer.length > this.budget / 4) return;

    const list = this.free.get(buffer.length) ?? [];
    list.push(buffer);
    this.free.set(buffer.length, list);
    this.freeBytes += buffer.length;
  }
}

/**
 * Streams bytes `start` (inclusive) to `end` (exclusive) of an open file, and closes the file
 * when done or destroyed. The file was opened before the stream exists, so deleting the blob
 * meanwhile does not cut it short.
 *
 * Piped to one HTTP response or socket (Fastify pipes a reply's stream to the response), it
 * writes pooled buffers itself and recycles each one when the destination's write callback says
 * the bytes have left it; at most two chunks are in flight, which is also the backpressure. Read
 * any other way, it hands out fresh buffers, since such a reader may keep them: a transform or
 * a PassThrough calls back as soon as it has queued a chunk, still holding it.
 */
export class FileRangeStream extends Readable {
  private position: number;
  private piped = false;

  constructor(
    private readonly handle: FileHandle,
    start: number,
    private readonly end: number,
    private readonly buffers: ReadBuffers,
  ) {
    super({ highWaterMark: buffers.chunkSize() });
    this.position = start;
    buffers.opened();
  }

  override _read(): void {
    const length = Math.min(this.readableHighWaterMark, this.end - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }

    this.handle.read(Buffer.allocUnsafe(length), 0, length, this.position).then(
      ({ bytesRead, buffer }) => {
        if (bytesRead === 0) return this.destroy(endedEarly(this.position, this.end));

        this.position += bytesRead;
        this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      },
      (err: unknown) => this.destroy(err as Error),
    );
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (this.piped || this.readableFlowing !== null || this.destroyed || !isSink(destination)) {
      return super.pipe(destination, options);
    }

    this.piped = true;
    destination.emit('pipe', this);
    void this.pump(destination, options?.end !== false);
    return destination;
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.buffers.closed();
    // FileHandle.close waits for a read still in flight.
    this.handle.close().then(
      () => callback(err),
      (closeErr: unknown) => callback(err ?? (closeErr as Error)),
    );
  }

  private async pump(destination: NodeJS.WritableStream, endDestination: boolean): Promise<void> {
    let inFlight = 0;
    let gone = false;
    let wake: (() => void) | undefined;
    const settle = () => {
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    const onClose = () => {
      gone = true;
      settle();
    };
    destination.once('close', onClose);

    try {
      while (this.position < this.end && !this.destroyed && !gone) {
        if (inFlight >= chunksInFlight) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }

        const size = this.buffers.chunkSize();
        const buffer = this.buffers.take(size);
        const length = Math.min(size, this.end - this.position);
        const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
        if (bytesRead === 0) throw endedEarly(this.position, this.end);
        if (this.destroyed || gone) break;

        this.position += bytesRead;
        inFlight += 1;
        destination.write(buffer.subarray(0, bytesRead), (err?: Error | null) => {
          inFlight -= 1;
          // After a failed write the socket may not be done with the bytes: never reuse those.
          if (!err) this.buffers.give(buffer);
          settle();
        });
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      destination.removeListener('close', onClose);
    }
    if (this.destroyed || gone) return;

    if (endDestination) this.once('end', () => destination.end());
    this.push(null);
    this.resume();
  }
}

function endedEarly(position: number, end: number): Error {
  return new Error(`blob file ended at byte ${position}, expected ${end} bytes`);
}

/** Destinations whose write callback means the bytes were handed to the kernel. */
function isSink(destination: NodeJS.WritableStream): boolean {
  return destination instanceof ServerResponse || destination instanceof Socket;
}
