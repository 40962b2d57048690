// Positioned reads over a spooled file (rpm databases are read out of order).

import type { FileHandle } from 'node:fs/promises';
import { UnreadableFileError } from '../../analyser.js';

export interface RandomAccess {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; a read past the end is corruption. */
  read(offset: number, length: number): Promise<Buffer>;
}

export function fileAccess(handle: FileHandle, size: number): RandomAccess {
  return {
    size,
    async read(offset, length) {
      if (offset < 0 || offset + length > size) {
        throw new UnreadableFileError(`read of ${length} bytes at ${offset} is past the end`);
      }

      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new UnreadableFileError('short read');

      return buffer;
    },
  };
}

export function bufferAccess(data: Buffer): RandomAccess {
  return {
    size: data.length,
    read(offset, length) {
      if (offset < 0 || offset + length > data.length) {
        return Promise.reject(
          new UnreadableFileError(`read of ${length} bytes at ${offset} is past the end`),
        );
      }

      return Promise.resolve(data.subarray(offset, offset + length));
    },
  };
}
