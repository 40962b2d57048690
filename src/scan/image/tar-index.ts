import type { FileHandle } from 'node:fs/promises';
import { ImageSourceError } from './errors.js';

// Where each regular file of a tar archive is, so that a docker archive's layers can be read
// in place instead of extracted. Reads headers only (POSIX ustar with GNU long names and PAX
// path/size records, the forms docker save and skopeo write).

export interface TarEntry {
  offset: number;
  size: number;
}

const BLOCK = 512;
/** A docker archive has a manifest, a config and the layers per image; this is plenty. */
const MAX_ENTRIES = 100_000;

export async function indexTar(file: FileHandle, name: string): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const { size: fileSize } = await file.stat();
  const header = Buffer.alloc(BLOCK);
  let offset = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};

  while (offset + BLOCK <= fileSize) {
    await readExactly(file, header, offset, name);
    if (header.every((byte) => byte === 0)) break;
    if (entries.size >= MAX_ENTRIES) throw corrupt(name, 'too many entries');

    const type = String.fromCharCode(header[156]!);
    const size = Number(pax.size ?? octal(header.subarray(124, 136), name));
    const dataOffset = offset + BLOCK;
    if (dataOffset + size > fileSize) throw corrupt(name, 'an entry runs past the end of the file');

    if (type === 'L' || type === 'x') {
      const data = Buffer.alloc(size);
      await readExactly(file, data, dataOffset, name);
      if (type === 'L') longName = cString(data);
      else pax = paxRecords(data);
    } else {
      const path = pax.path ?? longName ?? headerName(header);
      if (type === '0' || type === '\0') entries.set(normalise(path), { offset: dataOffset, size });
      longName = undefined;
      pax = {};
    }
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }

  return entries;
}

export function normalise(path: string): string {
  return path.replace(/^(\.\/|\/)+/, '');
}

async function readExactly(file: FileHandle, buffer: Buffer, position: number, name: string) {
  const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
  if (bytesRead !== buffer.length) throw corrupt(name, 'unexpected end of file');
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const ustar = header.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = ustar ? cString(header.subarray(345, 500)) : '';

  return prefix ? `${prefix}/${name}` : name;
}

function octal(field: Buffer, name: string): number {
  // GNU base-256 sizes (files over 8 GiB) set the high bit of the first byte.
  if (field[0]! & 0x80) {
    let value = 0;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }

  const text = cString(field).trim();
  if (!/^[0-7]*$/.test(text)) throw corrupt(name, 'a header has no valid size');

  return text === '' ? 0 : parseInt(text, 8);
}

/** PAX extended header records: "<length> <key>=<value>\n", the length counting the whole record. */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;

  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(data.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= space - at) break;

    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }

  return records;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);

  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

function corrupt(name: string, problem: string): ImageSourceError {
  return new ImageSourceError('corrupt', `${name} is not a readable tar archive: ${problem}`);
}
