// Reads one layer blob in a single streaming pass and produces its LayerRecord: the index of
// the paths it writes, its whiteouts, what the analysers learnt from the files they asked for,
// and what content scanners found in the files they read. Nothing else is kept, so memory
// grows with the number of entries and the captured files, never with the size of the layer.

import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';
import type { FileAnalyser, FileInfo, FileSink } from './analyser.js';
import type { ContentScanner, ContentSink } from './content-scanner.js';
import { decodeLayer, LayerFormatError, LayerLimitError, type DecodedLayer } from './decompress.js';
import { displayPath, normalisePath, whiteoutOf } from './paths.js';
import type { FileFact, InventoryLimits, LayerRecord, ProblemKind } from './types.js';
import { ZstdWindowError } from './zstd.js';

export interface ReadLayerOptions {
  digest: string;
  analysers: readonly FileAnalyser[];
  /** Scanners that see every regular file they want, whichever analyser reads it. */
  contentScanners?: readonly ContentScanner[];
  limits: InventoryLimits;
  signal?: AbortSignal;
}

/** Content findings one layer's record keeps; a layer full of them says so instead. */
const MAX_CONTENT_FINDINGS = 1000;

/**
 * Reads a layer to its end or to its first error. Errors in the layer itself (bad compression,
 * a truncated tar, a limit) are recorded as problems with `complete: false`, keeping what was
 * read before them; only an abort rejects.
 */
export async function readLayer(blob: Readable, options: ReadLayerOptions): Promise<LayerRecord> {
  const walker = new LayerWalker(options);

  try {
    const decoded = await decodeLayer(blob, options.limits);
    const failure = await walk(decoded, walker, options.signal);
    walker.record.bytes = decoded.bytesRead();
    if (failure) throw failure;
    walker.record.complete = true;
  } catch (error) {
    blob.destroy();
    if (options.signal?.aborted) throw options.signal.reason;
    walker.layerProblem(error as Error);
  }

  return walker.finish();
}

/** Runs the tar entries through the walker; resolves to what stopped it early, if anything. */
async function walk(
  decoded: DecodedLayer,
  walker: LayerWalker,
  signal: AbortSignal | undefined,
): Promise<Error | undefined> {
  // v7 tars have no "ustar" magic; header checksums still guard against garbage.
  const extract = tar.extract({ allowUnknownFormat: true } as ExtractOptions);
  const piped = pipeline([decoded.source, ...decoded.transforms, extract], { signal }).then(
    () => undefined,
    (error: Error) => error,
  );

  let stopped: Error | undefined;
  try {
    for await (const entry of extract) {
      await walker.entry(entry.header, entry as unknown as EntryContent);
    }
  } catch (error) {
    stopped = error as Error;
  }

  // The pipeline knows the cause (a gzip error, "Unexpected end of data"); the loop often sees
  // only its effect, a destroyed entry stream. A limit the walker hit is its own cause.
  const cause = await piped;

  return stopped instanceof LayerLimitError ? stopped : (cause ?? stopped);
}

type ExtractOptions = Parameters<typeof tar.extract>[0];

/** A tar entry's bytes. streamx readables iterate asynchronously; their typings omit it. */
type EntryContent = AsyncIterable<Buffer>;

interface SeenFile {
  analyser: string;
  size: number;
  fact?: FileFact;
}

interface AnalyserRead {
  analyser: FileAnalyser;
  cap: number;
  sink: FileSink;
}

class LayerWalker {
  readonly record: LayerRecord;
  /** Files given to an analyser, by path: the source for hard links to them. */
  private readonly seen = new Map<string, SeenFile>();
  private entries = 0;
  /** The record has all the content findings it keeps. */
  private truncated = false;

  constructor(private readonly options: ReadLayerOptions) {
    this.record = {
      digest: options.digest,
      entries: [],
      whiteouts: [],
      opaqueDirs: [],
      facts: [],
      contentFindings: [],
      problems: [],
      complete: false,
      bytes: 0,
    };
  }

  async entry(header: Header, content: EntryContent): Promise<void> {
    this.entries += 1;
    if (this.entries > this.options.limits.maxLayerEntries) {
      throw new LayerLimitError(`more than ${this.options.limits.maxLayerEntries} entries`);
    }

    const path = normalisePath(header.name, this.options.limits);
    if (path === undefined) {
      this.problem('path-rejected', header.name.slice(0, 200), 'name too long or too deep');
    } else if (path !== '') {
      await this.place(path, header, content);
    }

    await drain(content);
  }

  layerProblem(error: Error): void {
    const kind: ProblemKind =
      error instanceof LayerFormatError
        ? 'layer-format'
        : error instanceof LayerLimitError || error instanceof ZstdWindowError
          ? 'layer-limit'
          : 'layer-unreadable';
    this.record.problems.push({ kind, layerDigest: this.record.digest, detail: error.message });
  }

  finish(): LayerRecord {
    for (const [path, { analyser, fact }] of this.seen) {
      if (fact !== undefined) this.record.facts.push({ path, analyser, fact });
    }

    return this.record;
  }

  private async place(path: string, header: Header, content: EntryContent): Promise<void> {
    const whiteout = whiteoutOf(path);
    if (whiteout.kind === 'opaque') return void this.record.opaqueDirs.push(whiteout.dir);
    if (whiteout.kind === 'whiteout') return void this.record.whiteouts.push(whiteout.path);
    if (whiteout.kind === 'aufs-metadata') return;

    // A later entry for the same path replaces the earlier one, facts included.
    this.seen.delete(path);

    switch (header.type) {
      case 'file':
      case 'contiguous-file':
        this.record.entries.push({ path, type: 'file' });
        await this.read({ path, size: header.size ?? 0, mode: header.mode ?? 0 }, content);
        break;
      case 'link':
        this.record.entries.push({ path, type: 'file' });
        this.hardLink(path, header);
        break;
      case 'directory':
        this.record.entries.push({ path, type: 'dir' });
        break;
      case 'symlink':
        this.record.entries.push({ path, type: 'symlink', target: header.linkname ?? '' });
        break;
      default:
        this.record.entries.push({ path, type: 'other' });
    }
  }

  /** Gives a file to the first analyser that wants it, and to every content scanner that does. */
  private async read(file: FileInfo, content: EntryContent): Promise<void> {
    const reader = this.analyserFor(file);
    const scans = (this.options.contentScanners ?? [])
      .filter((scanner) => scanner.wants(file))
      .map((scanner) => ({ id: scanner.id, sink: scanner.open(file) }));
    if (!reader && scans.length === 0) return;

    const failure = await feed(content, {
      sink: reader?.sink,
      cap: reader?.cap ?? 0,
      scans: scans.map(({ sink }) => sink),
    });
    for (const { id, sink } of scans) this.found(id, file.path, sink);
    if (!reader) return;

    const { analyser, sink } = reader;
    try {
      if (failure) throw failure;
      this.seen.set(file.path, { analyser: analyser.id, size: file.size, fact: await sink.end() });
    } catch (error) {
      // Whatever a parser throws on hostile content costs that file, not the layer.
      await sink.discard();
      this.problem('file-unreadable', file.path, `${analyser.id}: ${(error as Error).message}`);
    }
  }

  /** The first analyser that wants a file, its cap and its open sink; none over that cap. */
  private analyserFor(file: FileInfo): AnalyserRead | undefined {
    const analyser = this.options.analysers.find((candidate) => candidate.matches(file));
    if (!analyser) return undefined;

    const cap = this.options.limits.maxFileBytes[analyser.id] ?? analyser.maxBytes;
    if (file.size > cap && !analyser.readsPrefix) {
      this.problem('file-too-large', file.path, `${file.size} bytes, ${analyser.id} reads ${cap}`);

      return undefined;
    }

    return { analyser, cap, sink: analyser.open(file) };
  }

  /** Keeps what a content scanner found in a file, up to the layer's allowance. */
  private found(scanner: string, path: string, sink: ContentSink): void {
    const findings = this.record.contentFindings;
    for (const hit of sink.end()) {
      if (findings.length < MAX_CONTENT_FINDINGS) {
        findings.push({ scanner, path, ...hit });
        continue;
      }
      if (!this.truncated) {
        const detail = `more than ${MAX_CONTENT_FINDINGS} ${scanner} findings; the rest are left out`;
        this.record.problems.push({
          kind: 'content-truncated',
          layerDigest: this.record.digest,
          detail,
        });
        this.truncated = true;
      }

      return;
    }
  }

  /**
   * A hard link has no content of its own: it shares what an earlier entry of the same layer
   * holds. That content is known only if an analyser read the earlier entry.
   */
  private hardLink(path: string, header: Header): void {
    const target = normalisePath(header.linkname ?? '', this.options.limits);
    const source = target === undefined ? undefined : this.seen.get(target);
    const info = { path, size: source?.size ?? 0, mode: header.mode ?? 0 };
    const analyser = this.options.analysers.find((candidate) => candidate.matches(info));
    if (!analyser) return;

    if (source?.analyser === analyser.id) {
      this.seen.set(path, source);

      return;
    }
    this.problem('link-unresolved', path, `hard link to ${header.linkname ?? ''}`);
  }

  private problem(kind: ProblemKind, path: string, detail: string): void {
    const shown = displayPath(path);
    this.record.problems.push({ kind, layerDigest: this.record.digest, path: shown, detail });
  }
}

/** Where an entry's bytes go: an analyser's sink, up to its cap, and content scanners' sinks. */
interface Readers {
  sink?: FileSink;
  cap: number;
  scans: ContentSink[];
}

/**
 * Writes an entry to its readers as it streams: up to `cap` bytes to the analyser's sink, and
 * everything to the content scanners that still want it. A failing tar stream rejects (the
 * layer is broken); a failing analyser sink is returned, and the entry is still read to its end.
 */
async function feed(content: EntryContent, readers: Readers): Promise<Error | undefined> {
  const { sink, cap } = readers;
  let scans = readers.scans;
  let taken = 0;
  let failure: Error | undefined;
  try {
    for await (const chunk of content) {
      if (scans.length > 0) scans = scans.filter((scan) => scan.write(chunk));
      if (!sink) continue;

      const part = chunk.subarray(0, Math.max(0, cap - taken));
      taken += part.length;
      if (part.length === 0 || failure) continue;
      await Promise.resolve(sink.write(part)).catch((error: Error) => (failure = error));
    }
  } catch (error) {
    await sink?.discard();
    throw error;
  }

  return failure;
}

/** Discards the rest of an entry: the tar parser moves on only once its bytes are consumed. */
async function drain(content: EntryContent): Promise<void> {
  const chunks = content[Symbol.asyncIterator]();
  while (!(await chunks.next()).done);
}
