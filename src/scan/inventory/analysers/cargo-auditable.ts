// Rust binaries built with `cargo auditable`: the crates they were built from, which the tool
// stores in an ELF section named `.dep-v0` as zlib-compressed JSON (rust-secure-code's
// auditable-serde schema: {"packages": [{name, version, source, kind, dependencies, root}]},
// with a "format" revision number in newer releases).
//
// The section's place is known only from the section header table, which linkers write after
// every section, at the end of the file. But cargo auditable creates the section without
// SHF_ALLOC (cargo-auditable's object_file.rs clears its flags), so it is not loaded at run
// time, and linkers put such sections after the content of every loaded segment. So, as the
// binary streams past that point, every zlib stream (2-byte header, 32 KiB window, as zlib
// writers emit by default) whose first inflated bytes are that JSON's opening is kept; the
// table and the section names before it are kept too, and at the end only a stream that
// starts exactly where the table puts `.dep-v0` counts.

import { constants, inflateSync } from 'node:zlib';
import { UnreadableFileError } from '../analyser.js';
import type { FoundPackage } from '../types.js';
import { CapturedRange } from './captured-range.js';
import { readSections, sectionName, type ElfLayout, type Section } from './elf.js';
import type { BinaryFinder } from './executable.js';

const SECTION = '.dep-v0';
/** RFC 1950 headers with CM 8, a 32 KiB window and no preset dictionary. */
const ZLIB_HEADERS = [0x01, 0x5e, 0x9c, 0xda].map((flags) => Buffer.from([0x78, flags]));
/** The JSON's first key, as serde writes it (no white space). */
const JSON_OPENING = /^\{"(?:packages|format)":/;
/** Enough compressed bytes for a dynamic Huffman block header and the JSON's opening. */
const PROBE = 512;
/** A dependency list of a thousand crates compresses to a few tens of KiB. */
const MAX_COMPRESSED = 2 ** 20;
const MAX_JSON = 16 * 2 ** 20;
const MAX_CANDIDATES = 8;
const MAX_TABLE = 2 ** 20;
/** Linkers and objcopy put the section names right before the section header table. */
const NAMES_WINDOW = 64 * 1024;

export class AuditDataFinder implements BinaryFinder {
  private readonly table?: CapturedRange;
  private readonly names?: CapturedRange;
  private readonly candidates: CapturedRange[] = [];
  private carry = Buffer.alloc(0);
  private carryAt = 0;

  constructor(private readonly layout: ElfLayout) {
    const table = layout.sectionTable;
    if (!table || table.entrySize * table.count > MAX_TABLE) return;

    this.table = new CapturedRange(table.offset, table.offset + table.entrySize * table.count);
    this.names = new CapturedRange(Math.max(0, table.offset - NAMES_WINDOW), table.offset);
  }

  write(chunk: Buffer, at: number): void {
    if (!this.table || this.table.complete) return;

    this.table.offer(chunk, at);
    this.names?.offer(chunk, at);
    for (const candidate of this.candidates) candidate.offer(chunk, at);

    const from = Math.max(at, this.layout.loadedEnd);
    const to = Math.min(at + chunk.length, this.table.start);
    if (from < to) this.search(chunk.subarray(from - at, to - at), from, false);
  }

  finish(): FoundPackage[] {
    if (!this.table) return [];

    this.search(Buffer.alloc(0), this.carryAt + this.carry.length, true);
    const section = this.auditSection();
    if (!section) return [];

    const stream = this.candidates.find((candidate) => candidate.start === section.offset);
    if (!stream) throw new UnreadableFileError(`${SECTION} does not hold compressed audit data`);
    if (section.size > MAX_COMPRESSED) {
      throw new UnreadableFileError(`${SECTION} is over ${MAX_COMPRESSED} bytes`);
    }

    return auditedCrates(inflated(stream.bytes().subarray(0, section.size)));
  }

  /**
   * Probes each zlib header in the bytes not yet searched. Headers too close to the end of
   * what has arrived wait for the next chunk, unless this is the last call.
   */
  private search(chunk: Buffer, at: number, last: boolean): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const dataAt = this.carry.length > 0 ? this.carryAt : at;
    const searchable = last ? data.length : data.length - PROBE + 1;

    for (const header of ZLIB_HEADERS) {
      for (let found = data.indexOf(header); found >= 0 && found < searchable;) {
        if (this.candidates.length < MAX_CANDIDATES && opensAuditData(data.subarray(found))) {
          this.keep(data.subarray(found), dataAt + found);
        }
        found = data.indexOf(header, found + 1);
      }
    }

    const keep = Math.max(0, data.length - Math.max(0, searchable));
    this.carry = Buffer.from(data.subarray(data.length - keep));
    this.carryAt = dataAt + data.length - keep;
  }

  private keep(data: Buffer, offset: number): void {
    const candidate = new CapturedRange(offset, offset + MAX_COMPRESSED);
    candidate.offer(data, offset);
    this.candidates.push(candidate);
  }

  /** The `.dep-v0` section, when the table and its names were both read. */
  private auditSection(): Section | undefined {
    const table = this.layout.sectionTable;
    if (!table || !this.table?.complete || !this.names) return undefined;

    const sections = readSections(this.table.bytes(), this.layout, table.entrySize);
    const namesSection = sections[table.namesIndex];
    const window = this.names.bytes();
    const from = (namesSection?.offset ?? 0) - this.names.start;
    if (!namesSection || from < 0 || from + namesSection.size > window.length) return undefined;

    const names = window.subarray(from, from + namesSection.size);

    return sections.find((section) => sectionName(names, section.nameAt) === SECTION);
  }
}

function opensAuditData(data: Buffer): boolean {
  try {
    const opening = inflateSync(data.subarray(0, PROBE), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: MAX_JSON,
    });

    return JSON_OPENING.test(opening.toString('latin1', 0, 16));
  } catch {
    return false;
  }
}

function inflated(compressed: Buffer): string {
  try {
    return inflateSync(compressed, { maxOutputLength: MAX_JSON }).toString('utf8');
  } catch (error) {
    throw new UnreadableFileError(`${SECTION}: ${(error as Error).message}`);
  }
}

/**
 * The crates compiled into the binary. Build-time dependencies (build scripts, proc macros:
 * `"kind": "build"`) run on the build machine and are not in it; local crates (the binary's
 * own workspace, path dependencies) have no published release to match advisories against.
 */
export function auditedCrates(json: string): FoundPackage[] {
  const data: unknown = JSON.parse(json);
  const listed = (data as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(listed)) throw new UnreadableFileError(`${SECTION} has no package list`);

  return listed.flatMap((entry: unknown) => {
    const { name, version, source, kind } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string') return [];
    if (kind === 'build' || source === 'local') return [];

    return [{ type: 'cargo' as const, name, version, licenses: [] }];
  });
}
