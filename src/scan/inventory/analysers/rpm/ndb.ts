// rpm's own "ndb" package database, Packages.db (SUSE and openSUSE). Format (rpm's
// lib/backend/ndb/rpmpkg.c), all integers little-endian:
//   - a 32-byte header: magic "RpmP", version 0, generation, number of slot pages, next index;
//   - slot pages of 4096 bytes, the first starting after the header: 16-byte slots of magic
//     "Slot", package index, block offset (0 for a free slot) and block count;
//   - blobs at block offset × 16: magic "BlbS", package index, timestamp, length, then the
//     header blob (and a tail this reader does not need).

import { UnreadableFileError } from '../../analyser.js';
import type { RandomAccess } from './random-access.js';

const HEADER_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const HEADER_BYTES = 32;
const PAGE_BYTES = 4096;
const SLOT_BYTES = 16;
const BLOCK_BYTES = 16;
const BLOB_HEAD_BYTES = 16;
/** A single package header over this is corruption, not a package. */
const MAX_BLOB = 256 * 2 ** 20;

export function isNdb(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === HEADER_MAGIC;
}

export async function* ndbValues(file: RandomAccess): AsyncGenerator<Buffer> {
  const header = await file.read(0, HEADER_BYTES);
  if (header.readUInt32LE(4) !== 0) throw new UnreadableFileError('unknown ndb version');

  const slotPages = header.readUInt32LE(12);
  if (slotPages * PAGE_BYTES > file.size)
    throw new UnreadableFileError('ndb slot pages past the end');

  const slots = await file.read(0, slotPages * PAGE_BYTES);
  for (let at = HEADER_BYTES; at < slots.length; at += SLOT_BYTES) {
    if (slots.readUInt32LE(at) !== SLOT_MAGIC) throw new UnreadableFileError('bad ndb slot');

    const index = slots.readUInt32LE(at + 4);
    const blockOffset = slots.readUInt32LE(at + 8);
    if (blockOffset === 0) continue;

    yield await readBlob(file, index, blockOffset * BLOCK_BYTES);
  }
}

async function readBlob(file: RandomAccess, index: number, offset: number): Promise<Buffer> {
  const head = await file.read(offset, BLOB_HEAD_BYTES);
  if (head.readUInt32LE(0) !== BLOB_MAGIC || head.readUInt32LE(4) !== index) {
    throw new UnreadableFileError(`bad ndb blob for package ${index}`);
  }

  const length = head.readUInt32LE(12);
  if (length > MAX_BLOB) throw new UnreadableFileError(`ndb blob of ${length} bytes`);

  return file.read(offset + BLOB_HEAD_BYTES, length);
}
