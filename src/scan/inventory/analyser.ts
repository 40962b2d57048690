// The contract between the layer reader and the analysers. The reader sees every tar entry
// once; an analyser says from the header alone whether it wants a file, and then receives the
// file's bytes through a sink. Most analysers buffer the file (under a size cap) and parse it
// at the end; a few consume it as it streams (ELF binaries) or spool it to disk (rpm
// databases and Java archives, which need random access).

import type { FileFact } from './types.js';

export interface FileInfo {
  /** Normalised path ("var/lib/dpkg/status"). */
  path: string;
  size: number;
  mode: number;
}

export interface FileSink {
  write(chunk: Buffer): void | Promise<void>;
  /** The whole file has been written: what the analyser learnt, if anything. */
  end(): Promise<FileFact | undefined>;
  /** The file will not arrive whole (the layer broke off); release what the sink holds. */
  discard(): Promise<void>;
}

export interface FileAnalyser {
  /** Stable name: labels facts and problems, and keys per-analyser size caps. */
  readonly id: string;
  /** Largest file this analyser reads by default. */
  readonly maxBytes: number;
  /**
   * The analyser needs only the start of a file (metadata headers come first), so longer files
   * are cut at maxBytes instead of being skipped.
   */
  readonly readsPrefix?: boolean;
  matches(file: FileInfo): boolean;
  open(file: FileInfo): FileSink;
}

/** Thrown by a parser for content it cannot read; reported as 'file-unreadable'. */
export class UnreadableFileError extends Error {}

interface BufferedAnalyserSpec {
  id: string;
  maxBytes: number;
  readsPrefix?: boolean;
  matches(file: FileInfo): boolean;
  parse(content: Buffer, file: FileInfo): FileFact | undefined;
}

/** An analyser that parses the whole file from memory. */
export function bufferedAnalyser(spec: BufferedAnalyserSpec): FileAnalyser {
  return {
    id: spec.id,
    maxBytes: spec.maxBytes,
    readsPrefix: spec.readsPrefix,
    matches: spec.matches,
    open(file) {
      let chunks: Buffer[] = [];

      return {
        write(chunk) {
          chunks.push(chunk);
        },
        end() {
          const content = Buffer.concat(chunks);
          chunks = [];

          return Promise.resolve(spec.parse(content, file));
        },
        discard() {
          chunks = [];

          return Promise.resolve();
        },
      };
    },
  };
}
