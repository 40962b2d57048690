// Go binaries: the modules they were built from, read from the build information the Go
// linker embeds (no Go toolchain needed). The executable streams past once, so the search
// happens on the way: the build information blob starts at a 16-byte aligned offset inside one
// of the writable data segments (Go's src/debug/buildinfo looks in the .go.buildinfo section,
// or else in the first writable, non-executable PT_LOAD segment, which holds that section).
// Nothing but the blob itself is ever kept.

import type { FoundPackage } from '../types.js';
import type { Region } from './elf.js';
import type { BinaryFinder } from './executable.js';
import { BUILDINFO_MAGIC, goPackages, readBuildInfo } from './go-buildinfo.js';

/** The blob's version and module strings; big programs list a few hundred modules. */
const MAX_BLOB = 4 * 2 ** 20;
const ALIGN = 16;

type FinderState =
  | { at: 'search'; carry: Buffer; carryAt: number }
  | { at: 'blob'; chunks: Buffer[]; length: number; need: number }
  | { at: 'done'; packages: FoundPackage[] };

export class GoBuildInfoFinder implements BinaryFinder {
  private state: FinderState;

  constructor(private readonly regions: Region[]) {
    this.state =
      regions.length > 0
        ? { at: 'search', carry: Buffer.alloc(0), carryAt: 0 }
        : { at: 'done', packages: [] };
  }

  write(chunk: Buffer, at: number): void {
    if (this.state.at === 'search') this.search(chunk, at);
    else if (this.state.at === 'blob') this.collect(chunk);
  }

  finish(): FoundPackage[] {
    return this.state.at === 'done' ? this.state.packages : [];
  }

  private search(chunk: Buffer, at: number): void {
    if (this.state.at !== 'search') return;

    const { carry, carryAt } = this.state;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const dataAt = carry.length > 0 ? carryAt : at;

    for (let from = 0; ;) {
      const found = data.indexOf(BUILDINFO_MAGIC, from);
      if (found < 0) break;

      if (this.isBlobStart(dataAt + found)) {
        this.state = { at: 'blob', chunks: [], length: 0, need: 0 };
        this.collect(data.subarray(found));

        return;
      }
      from = found + 1;
    }

    // Keep enough of the tail for a magic that straddles two chunks.
    const keep = Math.min(data.length, BUILDINFO_MAGIC.length - 1);
    this.state = {
      at: 'search',
      carry: Buffer.from(data.subarray(data.length - keep)),
      carryAt: dataAt + data.length - keep,
    };
  }

  private isBlobStart(offset: number): boolean {
    return (
      offset % ALIGN === 0 &&
      this.regions.some((region) => offset >= region.start && offset < region.end)
    );
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
      this.state = { at: 'done', packages: goPackages(read.goVersion, read.modules) };
    } else {
      // Go < 1.18 keeps pointers to the strings instead; an oversized blob is corruption.
      this.state = { at: 'done', packages: [] };
    }
  }
}
