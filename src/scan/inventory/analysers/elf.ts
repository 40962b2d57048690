// The parts of an ELF file (System V ABI, "Object Files") that the executable analyser needs,
// read from the file's head: the ELF header says where the program and section header tables
// are; the program headers (right after the ELF header in every linker's output) give the file
// ranges of the loadable segments, after which linkers put the sections that are not loaded. The section header table usually comes last in the file, so
// it is read on the way past, by whoever asks for it.

export interface Region {
  start: number;
  end: number;
}

export interface SectionTable {
  /** File offset of the table. */
  offset: number;
  entrySize: number;
  count: number;
  /** Index of the section holding section names (e_shstrndx). */
  namesIndex: number;
}

export interface ElfLayout {
  is64: boolean;
  little: boolean;
  /** File ranges of the writable, non-executable PT_LOAD segments. */
  writableSegments: Region[];
  /** Where the file content of the last PT_LOAD segment ends: non-loaded sections follow. */
  loadedEnd: number;
  sectionTable?: SectionTable;
}

export interface Section {
  /** Offset of the section's name in the names section. */
  nameAt: number;
  offset: number;
  size: number;
}

const ELF_MAGIC = '\x7fELF';
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
/** SHT_NOBITS sections (.bss) take no room in the file. */
const SHT_NOBITS = 8;

/** Reads the layout from the file's first bytes; undefined for anything but an ELF file. */
export function readElfLayout(head: Buffer): ElfLayout | undefined {
  if (head.length < 64 || head.toString('latin1', 0, 4) !== ELF_MAGIC) return undefined;

  const read = reader(head, head[4] === 2, head[5] === 1);
  const segments = loadSegments(head, read);
  const layout: ElfLayout = {
    is64: read.is64,
    little: read.little,
    writableSegments: segments
      .filter(({ flags }) => (flags & (PF_X | PF_W)) === PF_W)
      .map(({ start, end }) => ({ start, end })),
    loadedEnd: Math.max(0, ...segments.map(({ end }) => end)),
  };

  const table: SectionTable = {
    offset: read.word(read.is64 ? 0x28 : 0x20),
    entrySize: read.u16(read.is64 ? 0x3a : 0x2e),
    count: read.u16(read.is64 ? 0x3c : 0x30),
    namesIndex: read.u16(read.is64 ? 0x3e : 0x32),
  };
  if (table.offset > 0 && table.count > 0 && table.entrySize >= (read.is64 ? 64 : 40)) {
    layout.sectionTable = table;
  }

  return layout;
}

/** The sections listed in a section header table, NOBITS ones left out. */
export function readSections(table: Buffer, layout: ElfLayout, entrySize: number): Section[] {
  const read = reader(table, layout.is64, layout.little);
  const sections: Section[] = [];

  for (let at = 0; at + entrySize <= table.length; at += entrySize) {
    if (read.u32(at + 4) === SHT_NOBITS) {
      sections.push({ nameAt: read.u32(at), offset: 0, size: 0 });
      continue;
    }
    sections.push({
      nameAt: read.u32(at),
      offset: read.word(at + (layout.is64 ? 0x18 : 0x10)),
      size: read.word(at + (layout.is64 ? 0x20 : 0x14)),
    });
  }

  return sections;
}

/** A NUL-terminated name in the section names section. */
export function sectionName(names: Buffer, at: number): string {
  const end = names.indexOf(0, at);

  return names.toString('latin1', at, end < 0 ? names.length : end);
}

interface Segment extends Region {
  flags: number;
}

/** The PT_LOAD segments, as file ranges. */
function loadSegments(head: Buffer, read: Reader): Segment[] {
  const tableAt = read.word(read.is64 ? 0x20 : 0x1c);
  const entrySize = read.u16(read.is64 ? 0x36 : 0x2a);
  const count = read.u16(read.is64 ? 0x38 : 0x2c);
  if (entrySize < (read.is64 ? 56 : 32) || tableAt + entrySize * count > head.length) return [];

  const segments: Segment[] = [];
  for (let index = 0; index < count; index++) {
    const at = tableAt + index * entrySize;
    if (read.u32(at) !== PT_LOAD) continue;

    const start = read.word(at + (read.is64 ? 8 : 4));
    segments.push({
      start,
      end: start + read.word(at + (read.is64 ? 32 : 16)),
      flags: read.u32(at + (read.is64 ? 4 : 24)),
    });
  }

  return segments;
}

interface Reader {
  is64: boolean;
  little: boolean;
  u16(at: number): number;
  u32(at: number): number;
  /** An address or offset: 8 bytes in ELF64, 4 in ELF32. */
  word(at: number): number;
}

function reader(data: Buffer, is64: boolean, little: boolean): Reader {
  const u32 = (at: number): number => (little ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const u64 = (at: number): number =>
    Number(little ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at));

  return {
    is64,
    little,
    u16: (at) => (little ? data.readUInt16LE(at) : data.readUInt16BE(at)),
    u32,
    word: (at) => (is64 ? u64(at) : u32(at)),
  };
}
