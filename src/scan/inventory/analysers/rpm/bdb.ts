// rpm's Berkeley DB "Packages" database (RHEL/CentOS up to 8, Amazon Linux 2): a hash
// database whose values are header blobs. Berkeley DB's on-disk format (db-5.3,
// dbinc/db_page.h): page 0 is the metadata page; hash pages hold an index of item offsets
// after a 26-byte page header and alternate key and data items; a value too big for a hash
// page sits on a chain of overflow pages instead. All pages are visited in order, which finds
// every value without following the hash buckets.

import { UnreadableFileError } from '../../analyser.js';
import type { RandomAccess } from './random-access.js';

const HASH_MAGIC = 0x061561;
const META_MAGIC_AT = 12;
const META_PAGE_SIZE_AT = 20;
const META_ENCRYPTION_AT = 24;
const META_LAST_PAGE_AT = 32;

const PAGE_HEADER = 26;
const PAGE_NEXT_AT = 16;
const PAGE_ENTRIES_AT = 20;
/** On an overflow page this field holds the number of data bytes on the page. */
const PAGE_LENGTH_AT = 22;
const PAGE_TYPE_AT = 25;

const PAGE_TYPE = { hashUnsorted: 2, overflow: 7, hash: 13 } as const;
/** Page types run from 0 (free page) to 16 in db-5.3; anything above is not a page. */
const LAST_PAGE_TYPE = 16;
const ITEM_TYPE = { keyData: 1, offPage: 3 } as const;

export function isBerkeleyHash(head: Buffer): boolean {
  return (
    head.length >= 16 &&
    (head.readUInt32LE(META_MAGIC_AT) === HASH_MAGIC ||
      head.readUInt32BE(META_MAGIC_AT) === HASH_MAGIC)
  );
}

interface Layout {
  littleEndian: boolean;
  pageSize: number;
  lastPage: number;
}

/** Every value of the database, in page order. */
export async function* berkeleyValues(file: RandomAccess): AsyncGenerator<Buffer> {
  const layout = await readMeta(file);

  for (let page = 1; page <= layout.lastPage; page++) {
    const data = await file.read(page * layout.pageSize, layout.pageSize);
    const type = data[PAGE_TYPE_AT] ?? 0;
    if (type > LAST_PAGE_TYPE) throw new UnreadableFileError(`page ${page} has no known type`);
    if (type !== PAGE_TYPE.hash && type !== PAGE_TYPE.hashUnsorted) continue;

    yield* pageValues(file, layout, data);
  }
}

async function readMeta(file: RandomAccess): Promise<Layout> {
  const meta = await file.read(0, 64);
  const littleEndian = meta.readUInt32LE(META_MAGIC_AT) === HASH_MAGIC;
  const u32 = (at: number): number =>
    littleEndian ? meta.readUInt32LE(at) : meta.readUInt32BE(at);

  const pageSize = u32(META_PAGE_SIZE_AT);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new UnreadableFileError(`Berkeley DB page size ${pageSize} is not valid`);
  }
  if (meta[META_ENCRYPTION_AT] !== 0) throw new UnreadableFileError('encrypted Berkeley DB');

  const lastPage = Math.min(u32(META_LAST_PAGE_AT), Math.floor(file.size / pageSize) - 1);

  return { littleEndian, pageSize, lastPage };
}

/** Data items are the odd entries; key items (header numbers) are not needed. */
async function* pageValues(
  file: RandomAccess,
  layout: Layout,
  page: Buffer,
): AsyncGenerator<Buffer> {
  const u16 = (at: number): number =>
    layout.littleEndian ? page.readUInt16LE(at) : page.readUInt16BE(at);
  const u32 = (at: number): number =>
    layout.littleEndian ? page.readUInt32LE(at) : page.readUInt32BE(at);
  const entries = u16(PAGE_ENTRIES_AT);

  for (let index = 1; index < entries; index += 2) {
    const offset = u16(PAGE_HEADER + index * 2);
    const end = u16(PAGE_HEADER + (index - 1) * 2);
    if (offset >= layout.pageSize || end > layout.pageSize || end <= offset) {
      throw new UnreadableFileError('Berkeley DB hash item out of its page');
    }

    const type = page[offset];
    if (type === ITEM_TYPE.keyData) yield page.subarray(offset + 1, end);
    if (type === ITEM_TYPE.offPage)
      yield await overflowChain(file, layout, u32(offset + 4), u32(offset + 8));
  }
}

/** Concatenates a chain of overflow pages holding `total` bytes. */
async function overflowChain(
  file: RandomAccess,
  layout: Layout,
  first: number,
  total: number,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let collected = 0;
  let page = first;

  for (let hops = 0; page !== 0 && collected < total; hops++) {
    if (hops > layout.lastPage || page > layout.lastPage) {
      throw new UnreadableFileError('Berkeley DB overflow chain is broken');
    }
    const data = await file.read(page * layout.pageSize, layout.pageSize);
    if (data[PAGE_TYPE_AT] !== PAGE_TYPE.overflow)
      throw new UnreadableFileError('not an overflow page');

    const length = layout.littleEndian
      ? data.readUInt16LE(PAGE_LENGTH_AT)
      : data.readUInt16BE(PAGE_LENGTH_AT);
    parts.push(data.subarray(PAGE_HEADER, PAGE_HEADER + length));
    collected += length;
    page = layout.littleEndian ? data.readUInt32LE(PAGE_NEXT_AT) : data.readUInt32BE(PAGE_NEXT_AT);
  }
  if (collected !== total) throw new UnreadableFileError('Berkeley DB overflow chain is short');

  return Buffer.concat(parts);
}
