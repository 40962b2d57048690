// Executables that record what they were built from: Go binaries (build information) and Rust
// binaries built with `cargo auditable` (the .dep-v0 section). Any large executable may be
// either, whatever its path, and executables are the bulk of an image's bytes, so each one
// streams past a single time: its head (ELF and program headers) says where to look, and then
// every finder watches the same bytes go by, keeping only what it is after.

import type { FileAnalyser, FileInfo, FileSink } from '../analyser.js';
import type { FileFact, FoundPackage } from '../types.js';
import { AuditDataFinder } from './cargo-auditable.js';
import { readElfLayout } from './elf.js';
import { GoBuildInfoFinder } from './go-binary.js';

/** Holds the ELF header and the program headers of every linker's output. */
const HEAD_BYTES = 64 * 1024;
const EXECUTABLE = 0o111;
/** Smaller executables are scripts and tiny tools; Go and Rust binaries are megabytes. */
const MIN_SIZE = 16 * 1024;

/** Watches a binary stream past for one kind of embedded record. */
export interface BinaryFinder {
  /** The next bytes of the file, which start at file offset `at`. */
  write(chunk: Buffer, at: number): void;
  /** What was found, once the whole file has gone past; throws on a corrupt record. */
  finish(): FoundPackage[];
}

export const executableAnalysers: FileAnalyser[] = [
  {
    id: 'elf-binary',
    maxBytes: 2 * 2 ** 30,
    matches: ({ mode, size }: FileInfo) => (mode & EXECUTABLE) !== 0 && size >= MIN_SIZE,
    open: () => new ExecutableScanner(),
  },
];

class ExecutableScanner implements FileSink {
  private head: Buffer[] = [];
  private headLength = 0;
  /** Undefined while the head is still arriving. */
  private finders: BinaryFinder[] | undefined;
  /** File offset of the next byte written. */
  private position = 0;

  write(chunk: Buffer): void {
    const at = this.position;
    this.position += chunk.length;
    if (this.finders) {
      for (const finder of this.finders) finder.write(chunk, at);

      return;
    }

    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength >= HEAD_BYTES) this.startFinders();
  }

  end(): Promise<FileFact | undefined> {
    if (!this.finders) this.startFinders();

    try {
      const packages = (this.finders ?? []).flatMap((finder) => finder.finish());

      return Promise.resolve(packages.length > 0 ? { kind: 'packages', packages } : undefined);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  discard(): Promise<void> {
    this.head = [];
    this.finders = [];

    return Promise.resolve();
  }

  private startFinders(): void {
    const head = Buffer.concat(this.head);
    this.head = [];

    const layout = readElfLayout(head);
    this.finders = layout
      ? [new GoBuildInfoFinder(layout.writableSegments), new AuditDataFinder(layout)]
      : [];
    for (const finder of this.finders) finder.write(head, 0);
  }
}
