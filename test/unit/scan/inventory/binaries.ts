// Builds the executables of the inventory tests: Go build information blobs, and small ELF64
// files with a code and a data segment and named sections, laid out the way linkers lay them
// out (loaded content, then sections that are not loaded, the section names, and last the
// section header table).

import { deflateSync } from 'node:zlib';

/** A uvarint-prefixed string, as Go's inline build information stores them. */
function prefixed(bytes: Buffer): Buffer {
  const length: number[] = [];
  let value = bytes.length;
  do {
    length.push((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
    value >>>= 7;
  } while (value > 0);

  return Buffer.concat([Buffer.from(length), bytes]);
}

export function buildInfoBlob(goVersion: string, modules: string, flags = 2): Buffer {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  header[15] = flags;
  // Arbitrary bytes, some of them invalid UTF-8, like Go's own sentinels.
  const sentinel = Buffer.from('3077af0c927408024 1e1c107e6d618e6'.replace(' ', ''), 'hex');
  const framed = Buffer.concat([sentinel, Buffer.from(modules), sentinel]);

  return Buffer.concat([header, prefixed(Buffer.from(goVersion)), prefixed(framed)]);
}

/** cargo auditable's section content: the dependency list as zlib-compressed JSON. */
export function auditData(packages: Record<string, unknown>[]): Buffer {
  return deflateSync(JSON.stringify({ packages }), { level: 9 });
}

export interface ElfSpec {
  /** Content of a read-only, executable PT_LOAD segment: machine code. */
  code?: Buffer;
  /** Content of the one writable PT_LOAD segment (Go keeps its build information there). */
  data?: Buffer;
  sections?: { name: string; content: Buffer }[];
}

const HEADER = 64;
const PROGRAM_HEADER = 56;
const SECTION_HEADER = 64;

export function elfFile({
  code = Buffer.alloc(0),
  data = Buffer.alloc(0),
  sections = [],
}: ElfSpec) {
  const codeAt = 0x1000;
  const dataAt = align(codeAt + code.length, 16);
  let at = dataAt + data.length;
  const placed = sections.map((section) => {
    const offset = at;
    at += section.content.length;

    return { ...section, offset };
  });

  const names = sectionNames(['.shstrtab', ...sections.map((section) => section.name)]);
  const namesAt = at;
  const tableAt = align(namesAt + names.bytes.length, 8);
  const file = Buffer.alloc(tableAt + SECTION_HEADER * (sections.length + 2));

  writeElfHeader(file, tableAt, sections.length + 2);
  writeProgramHeader(file, 0, { offset: codeAt, size: code.length, flags: 4 | 1 });
  writeProgramHeader(file, 1, { offset: dataAt, size: data.length, flags: 4 | 2 });
  code.copy(file, codeAt);
  data.copy(file, dataAt);
  for (const section of placed) section.content.copy(file, section.offset);
  names.bytes.copy(file, namesAt);

  placed.forEach((section, index) => {
    writeSectionHeader(file, tableAt + SECTION_HEADER * (index + 1), {
      nameAt: names.offsets.get(section.name) ?? 0,
      offset: section.offset,
      size: section.content.length,
    });
  });
  writeSectionHeader(file, tableAt + SECTION_HEADER * (sections.length + 1), {
    nameAt: names.offsets.get('.shstrtab') ?? 0,
    offset: namesAt,
    size: names.bytes.length,
  });

  return file;
}

function writeElfHeader(file: Buffer, tableAt: number, sectionCount: number): void {
  file.write('\x7fELF', 0, 'latin1');
  file[4] = 2;
  file[5] = 1;
  file[6] = 1;
  file.writeBigUInt64LE(BigInt(HEADER), 0x20);
  file.writeBigUInt64LE(BigInt(tableAt), 0x28);
  file.writeUInt16LE(PROGRAM_HEADER, 0x36);
  file.writeUInt16LE(2, 0x38);
  file.writeUInt16LE(SECTION_HEADER, 0x3a);
  file.writeUInt16LE(sectionCount, 0x3c);
  file.writeUInt16LE(sectionCount - 1, 0x3e);
}

/** A PT_LOAD segment: readable and executable (code) or writable (data). */
function writeProgramHeader(
  file: Buffer,
  index: number,
  segment: { offset: number; size: number; flags: number },
): void {
  const at = HEADER + index * PROGRAM_HEADER;
  file.writeUInt32LE(1, at);
  file.writeUInt32LE(segment.flags, at + 4);
  file.writeBigUInt64LE(BigInt(segment.offset), at + 8);
  file.writeBigUInt64LE(BigInt(segment.size), at + 32);
}

function writeSectionHeader(
  file: Buffer,
  at: number,
  section: { nameAt: number; offset: number; size: number },
): void {
  file.writeUInt32LE(section.nameAt, at);
  file.writeUInt32LE(1, at + 4);
  file.writeBigUInt64LE(BigInt(section.offset), at + 0x18);
  file.writeBigUInt64LE(BigInt(section.size), at + 0x20);
}

function sectionNames(names: string[]): { bytes: Buffer; offsets: Map<string, number> } {
  const offsets = new Map<string, number>();
  let text = '\0';
  for (const name of names) {
    offsets.set(name, text.length);
    text += `${name}\0`;
  }

  return { bytes: Buffer.from(text, 'latin1'), offsets };
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
