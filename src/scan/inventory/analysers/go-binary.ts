// Go binaries: the modules they were built from, read from the build information the Go
// linker embeds (no Go toolchain needed). Executables stream past once, so the search happens
// on the way: the ELF program headers (within the first bytes) say where the writable data
// segments lie; the build information blob starts at a 16-byte aligned offset inside one of
// them (Go's src/debug/buildinfo looks in the .go.buildinfo section, or else in the first
// writable, non-executable PT_LOAD segment, which holds that section). Nothing but the file's
// head and the blob itself is ever kept.

import type { FileAnalyser, FileInfo, FileSink } from '../analyser.js';
import type { FileFact } from '../types.js';
import { BUILDINFO_MAGIC, goPackages, readBuildInfo } from './go-buildinfo.js';

const HEAD_BYTES = 64 * 1024;
/** The blob's version and module strings; big programs list a few hundred modules. */
const MAX_BLOB = 4 * 2 ** 20;
const ALIGN = 16;
const EXECUTABLE = 0o111;
/** Smaller executables are scripts and tiny tools; a Go binary is megabytes. */
const MIN_SIZE = 16 * 1024;

export const goAnalysers: FileAnalyser[] = [
  {
    id: 'go-binary',
    maxBytes: 2 * 2 ** 30,
    matches: ({ mode, size }: FileInfo) => (mode & EXECUTABLE) !== 0 && size >= MIN_SIZE,
    open: () => new BuildInfoScanner(),
  },
];

interface Region {
  start: number;
  end: number;
}

type ScanState =
  | { at: 'head'; chunks: Buffer[]; length: number }
  | { at: 'search'; regions: Region[]; carry: Buffer; carryAt: number }
  | { at: 'blob'; chunks: Buffer[]; length: number; need: number }
  | { at: 'done'; fact?: FileFact };

class BuildInfoScanner implements FileSink {
  private state: ScanState = { at: 'head', chunks: [], length: 0 };
  /** File offset of the next byte written. */
  private position = 0;

  write(chunk: Buffer): void {
    const at = this.position;
    this.position += chunk.length;
    this.accept(chunk, at);
  }

  end(): Promise<FileFact | undefined> {
    if (this.state.at === 'head') this.startSearch();

    return Promise.resolve(this.state.at === 'done' ? this.state.fact : undefined);
  }

  discard(): Promise<void> {
    this.state = { at: 'done' };

    return Promise.resolve();
  }

  private accept(chunk: Buffer, at: number): void {
    const state = this.state;
    if (state.at === 'head') {
      state.chunks.push(chunk);
      state.length += chunk.length;
      if (state.length >= HEAD_BYTES) this.startSearch();
    } else if (state.at === 'search') {
      this.search(chunk, at);
    } else if (state.at === 'blob') {
      this.collect(chunk);
    }
  }

  /** Reads the ELF program headers from the head, then searches the head itself. */
  private startSearch(): void {
    if (this.state.at !== 'head') return;

    const head = Buffer.concat(this.state.chunks);
    const regions = writableSegments(head);
    if (regions.length === 0) {
      this.state = { at: 'done' };

      return;
    }
    this.state = { at: 'search', regions, carry: Buffer.alloc(0), carryAt: 0 };
    this.search(head, 0);
  }

  private search(chunk: Buffer, at: number): void {
    if (this.state.at !== 'search') return;

    const { regions, carry, carryAt } = this.state;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const dataAt = carry.length > 0 ? carryAt : at;

    for (let from = 0; ;) {
      const found = data.indexOf(BUILDINFO_MAGIC, from);
      if (found < 0) break;

      const offset = dataAt + found;
      if (
        offset % ALIGN === 0 &&
        regions.some((region) => offset >= region.start && offset < region.end)
      ) {
        this.state = { at: 'blob', chunks: [], length: 0, need: 0 };
        this.collect(data.subarray(found));

        return;
      }
      from = found + 1;
    }

    // Keep enough of the tail for a magic that straddles two chunks.
    const keep = Math.min(data.length, BUILDINFO_MAGIC.length - 1);
    this.state = {
      ...this.state,
      carry: Buffer.from(data.subarray(data.length - keep)),
      carryAt: dataAt + data.length - keep,
    };
  }

  private collect(chunk: Buffer): void {
    if (this.state.at !== 'blob') return;

    this.state.chunks.push(chunk);
    this.state.length += chunk.length;
    if (this.state.length < this.state.need) return;

    const blob = Buffer.concat(this.state.chunks);
    const read = readBuildInfo(blob);
    if (read.state === 'need' && read.bytes <= MAX_BLOB) {
      this.state = { at: 'blob', chunks: [blob], length: blob.length, need: read.bytes };
    } else if (read.state === 'done') {
      const packages = goPackages(read.goVersion, read.modules);
      this.state = { at: 'done', fact: { kind: 'packages', packages } };
    } else {
      // Go < 1.18 keeps pointers to the strings instead; an oversized blob is corruption.
      this.state = { at: 'done' };
    }
  }
}

const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;

/** File ranges of an ELF file's writable, non-executable loadable segments. */
export function writableSegments(head: Buffer): Region[] {
  if (head.length < 64 || head.toString('latin1', 0, 4) !== '\x7fELF') return [];

  const is64 = head[4] === 2;
  const little = head[5] === 1;
  const u16 = (at: number): number => (little ? head.readUInt16LE(at) : head.readUInt16BE(at));
  const u32 = (at: number): number => (little ? head.readUInt32LE(at) : head.readUInt32BE(at));
  const word = (at: number): number =>
    is64 ? (little ? Number(head.readBigUInt64LE(at)) : Number(head.readBigUInt64BE(at))) : u32(at);

  const tableAt = word(is64 ? 0x20 : 0x1c);
  const entrySize = u16(is64 ? 0x36 : 0x2a);
  const count = u16(is64 ? 0x38 : 0x2c);
  if (entrySize < (is64 ? 56 : 32) || tableAt + entrySize * count > head.length) return [];

  const regions: Region[] = [];
  for (let index = 0; index < count; index++) {
    const at = tableAt + index * entrySize;
    const flags = u32(at + (is64 ? 4 : 24));
    if (u32(at) !== PT_LOAD || (flags & (PF_X | PF_W)) !== PF_W) continue;

    const start = word(at + (is64 ? 8 : 4));
    regions.push({ start, end: start + word(at + (is64 ? 32 : 16)) });
  }

  return regions;
}
