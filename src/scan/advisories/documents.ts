import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { AdvisoryImportError, importError } from './errors.js';

// What an import reads: one JSON file, a folder of them (searched recursively), a zip, or a
// folder holding zips such as OSV's per-ecosystem all.zip exports. Everything is read as a
// stream of documents, one at a time, so a folder of 200,000 records or a zip of the same never
// sits in memory at once.

export interface InputLimits {
  /**
   * The most bytes of JSON held in memory at once: one record file, one zip entry, or one
   * package's member of the Debian tracker JSON (which is itself streamed, whatever its size).
   */
  maxDocumentBytes: number;
}

export const defaultLimits: InputLimits = { maxDocumentBytes: 64 * 1024 * 1024 };

export interface AdvisoryDocument {
  /** Where it is, for messages: a file path, or `archive.zip!entry.json`. */
  name: string;
  /** The last path segment, which some formats use to tell their files apart. */
  baseName: string;
  /** Bytes, as the file system or the zip's directory states. */
  size: number;
  modifiedAt: number;
  open(): Promise<Readable>;
}

const zipMagic = Buffer.from('PK\x03\x04', 'latin1');

export class AdvisoryInput {
  /** The newest modification time of the documents read so far, for sources without dates. */
  newestDocumentAt: number | undefined;

  private constructor(
    readonly path: string,
    readonly limits: InputLimits,
    private readonly kind: 'file' | 'zip' | 'folder',
  ) {}

  static async open(
    inputPath: string,
    limits: InputLimits = defaultLimits,
  ): Promise<AdvisoryInput> {
    const resolved = path.resolve(inputPath);
    const info = await stat(resolved).catch((err: unknown) => {
      throw importError(inputPath, err);
    });

    if (info.isDirectory()) return new AdvisoryInput(resolved, limits, 'folder');
    if (!info.isFile()) throw new AdvisoryImportError(inputPath, 'not a file or a folder');
    const kind = (await startsWith(resolved, zipMagic)) ? 'zip' : 'file';

    return new AdvisoryInput(resolved, limits, kind);
  }

  /** Every document, in a stable order. May be called again to read everything a second time. */
  async *documents(): AsyncGenerator<AdvisoryDocument> {
    const documents =
      this.kind === 'folder'
        ? folderDocuments(this.path, this.limits)
        : this.kind === 'zip'
          ? zipDocuments(this.path, this.limits)
          : fileDocuments(this.path, this.limits);

    for await (const document of documents) {
      this.newestDocumentAt = Math.max(this.newestDocumentAt ?? 0, document.modifiedAt);
      yield document;
    }
  }
}

/** Reads a whole document and parses it, within the size limit. */
export async function readJson(document: AdvisoryDocument, limits: InputLimits): Promise<unknown> {
  const bytes = await readWhole(document, limits);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');

  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AdvisoryImportError(document.name, `not valid JSON (${(err as Error).message})`);
  }
}

async function readWhole(document: AdvisoryDocument, limits: InputLimits): Promise<Buffer> {
  checkSize(document.name, document.size, limits);

  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of await document.open()) {
      total += (chunk as Buffer).length;
      checkSize(document.name, total, limits);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw importError(document.name, err);
  }

  return Buffer.concat(chunks);
}

export function checkSize(name: string, bytes: number, limits: InputLimits): void {
  if (bytes <= limits.maxDocumentBytes) return;

  throw new AdvisoryImportError(
    name,
    `larger than the limit of ${limits.maxDocumentBytes} bytes for one JSON document`,
  );
}

async function* fileDocuments(
  file: string,
  _limits: InputLimits,
): AsyncGenerator<AdvisoryDocument> {
  const info = await stat(file);

  yield {
    name: file,
    baseName: path.basename(file),
    size: info.size,
    modifiedAt: Math.floor(info.mtimeMs),
    open: async () => createReadStream(file, { highWaterMark: 1024 * 1024 }),
  };
}

/** JSON files and zips below a folder, names in byte order, hidden entries (.git) skipped. */
async function* folderDocuments(
  folder: string,
  limits: InputLimits,
): AsyncGenerator<AdvisoryDocument> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((err: unknown) => {
    throw importError(folder, err);
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);

    if (entry.isDirectory()) yield* folderDocuments(full, limits);
    else if (entry.isFile() && entry.name.endsWith('.json')) yield* fileDocuments(full, limits);
    else if (entry.isFile() && entry.name.endsWith('.zip')) yield* zipDocuments(full, limits);
  }
}

/**
 * The JSON entries of a zip. yauzl refuses entry names that are absolute or climb out with
 * `..`; nothing is extracted to disk, but such a name means the archive is not what it claims
 * to be. Entries whose declared size is over the limit are refused before any byte is
 * inflated, and yauzl stops any entry that inflates to more than it declared.
 */
async function* zipDocuments(
  zipPath: string,
  limits: InputLimits,
): AsyncGenerator<AdvisoryDocument> {
  const zip = await yauzl
    .openPromise(zipPath, { lazyEntries: true, strictFileNames: true })
    .catch((err: unknown) => {
      throw importError(zipPath, err);
    });

  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/') || !entry.fileName.endsWith('.json')) continue;
      const name = `${zipPath}!${entry.fileName}`;
      checkSize(name, entry.uncompressedSize, limits);

      yield {
        name,
        baseName: path.posix.basename(entry.fileName),
        size: entry.uncompressedSize,
        modifiedAt: entry.getLastModDate().getTime(),
        open: () =>
          zip.openReadStreamPromise(entry).catch((err: unknown) => {
            throw importError(name, err);
          }),
      };
    }
  } catch (err) {
    throw importError(zipPath, err);
  } finally {
    zip.close();
  }
}

async function startsWith(file: string, magic: Buffer): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(magic.length);
    const { bytesRead } = await handle.read(head, 0, magic.length, 0);

    return bytesRead === magic.length && head.equals(magic);
  } finally {
    await handle.close();
  }
}
