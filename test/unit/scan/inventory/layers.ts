// Builds synthetic layers for the inventory tests: tar streams written with tar-stream
// (whiteouts, opaque markers, hard links and hostile names included), compressed in memory,
// served by digest like a blob store would.

import { createHash } from 'node:crypto';
import { once, type EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export type EntrySpec =
  | { file: string; content: string | Buffer; mode?: number }
  | { dir: string }
  | { symlink: string; target: string }
  | { hardlink: string; target: string }
  /** `.wh.<name>` next to the path it deletes. */
  | { whiteout: string }
  /** `.wh..wh..opq` inside the directory. */
  | { opaque: string }
  /** A raw tar name, for hostile ones. */
  | { raw: string; content: string };

export function file(path: string, content: string | Buffer, mode = 0o644): EntrySpec {
  return { file: path, content, mode };
}

export async function tarOf(entries: EntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const done = collect(pack as unknown as AsyncIterable<Buffer>);
  for (const entry of entries) pack.entry(...headerOf(entry));
  pack.finalize();

  return done;
}

export async function gzipTarOf(entries: EntrySpec[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries));
}

type EntryArgs = [tar.Header, string | Buffer];

function headerOf(entry: EntrySpec): EntryArgs {
  const mtime = new Date(0);
  if ('file' in entry) {
    return [{ name: entry.file, mode: entry.mode ?? 0o644, mtime } as tar.Header, entry.content];
  }
  if ('dir' in entry)
    return [{ name: entry.dir, type: 'directory', mode: 0o755 } as tar.Header, ''];
  if ('symlink' in entry) {
    return [{ name: entry.symlink, type: 'symlink', linkname: entry.target } as tar.Header, ''];
  }
  if ('hardlink' in entry) {
    return [{ name: entry.hardlink, type: 'link', linkname: entry.target } as tar.Header, ''];
  }
  if ('whiteout' in entry) return [{ name: whiteoutName(entry.whiteout) } as tar.Header, ''];
  if ('opaque' in entry) return [{ name: `${entry.opaque}/.wh..wh..opq` } as tar.Header, ''];

  return [{ name: entry.raw } as tar.Header, entry.content];
}

function whiteoutName(path: string): string {
  const slash = path.lastIndexOf('/');

  return `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);

  return Buffer.concat(chunks);
}

/** Blobs by digest, counting how often each is opened (cache tests). */
export class BlobSet {
  readonly blobs = new Map<string, Buffer>();
  readonly opened: string[] = [];

  add(blob: Buffer): string {
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
    this.blobs.set(digest, blob);

    return digest;
  }

  open = (digest: string): Promise<Readable> => {
    this.opened.push(digest);
    const blob = this.blobs.get(digest);
    if (!blob) return Promise.reject(new Error(`blob ${digest} not found`));

    // Small chunks, so that every parser meets data split at awkward places.
    return Promise.resolve(Readable.from(chunked(blob, 4096)));
  };
}

function* chunked(data: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

/**
 * A gzip layer holding one file of `size` zero bytes (after the `before` entries), generated
 * as it is compressed: a tar bomb of any size costs the test a few hundred KB.
 */
export async function hugeFileLayer(
  path: string,
  size: number,
  before: EntrySpec[] = [],
): Promise<Buffer> {
  const pack = tar.pack();
  const gzip = createGzip({ level: 1 });
  const output = collect(gzip);
  const feeding = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) {
      if (!gzip.write(chunk)) await once(gzip, 'drain');
    }
    gzip.end();
  })();

  for (const entry of before) pack.entry(...headerOf(entry));
  const sink = pack.entry({ name: path, size, mode: 0o644 });
  const block = Buffer.alloc(2 ** 20);
  for (let written = 0; written < size; written += block.length) {
    const part = block.subarray(0, Math.min(block.length, size - written));
    if (!sink.write(part)) await once(sink as unknown as EventEmitter, 'drain');
  }
  (sink as unknown as EventEmitter & { end(): void }).end();
  pack.finalize();
  await feeding;

  return output;
}
