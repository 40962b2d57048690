// The contract between the layer reader and content scanners. Analysers share out a layer's
// files (each file goes to the first analyser that wants it); a content scanner instead sees
// every regular file it asks for, next to whichever analyser reads it, as the bytes stream
// past. What it reports is kept in the layer's record, so it is cached with the record.

import type { FileInfo } from './analyser.js';
import type { ContentFinding } from './types.js';

export interface ContentScanner {
  /** Stable name: labels its findings. */
  readonly id: string;
  /**
   * Changes whenever the scanner would report something else for the same bytes (its rules,
   * its options): part of the layer cache key.
   */
  readonly version: string;
  /** From the header alone: whether to read the file at all (its path, its size). */
  wants(file: FileInfo): boolean;
  open(file: FileInfo): ContentSink;
}

/** What a scanner learnt from one file, without the path, which the reader adds. */
export type ContentHit = Omit<ContentFinding, 'scanner' | 'path'>;

export interface ContentSink {
  /** Takes the next bytes; false once the sink wants no more of the file (it is binary). */
  write(chunk: Buffer): boolean;
  /** The file has been read to its end. */
  end(): ContentHit[];
}
