// A file's bytes kept for a reader that needs random access (zip archives): in memory while
// they are few, in a private temporary file once they pass a threshold, so that memory stays
// bounded however large the file. Whoever spools discards the spool when done with it.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';

export type Spooled = { in: 'memory'; data: Buffer } | { in: 'file'; path: string };

const DEFAULT_IN_MEMORY = 8 * 2 ** 20;

export class Spool {
  private chunks: Buffer[] = [];
  private length = 0;
  private dir: string | undefined;
  private out: WriteStream | undefined;
  /** A write to the temporary file failed (a full disk): the spool is useless from then on. */
  private failure: Error | undefined;

  constructor(
    private readonly prefix: string,
    private readonly inMemory = DEFAULT_IN_MEMORY,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.out && this.length + chunk.length <= this.inMemory) {
      this.chunks.push(chunk);
      this.length += chunk.length;

      return;
    }

    const out = this.out ?? (await this.spill());
    if (!out.write(chunk)) await once(out, 'drain');
  }

  /** Everything written, wherever it was kept. */
  async finish(): Promise<Spooled> {
    if (!this.out || !this.dir) return { in: 'memory', data: Buffer.concat(this.chunks) };

    this.out.end();
    await finished(this.out);

    return { in: 'file', path: path.join(this.dir, 'spool') };
  }

  async discard(): Promise<void> {
    this.chunks = [];
    this.out?.destroy();
    this.out = undefined;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** Moves what memory holds to a new temporary file, which takes the writes from now on. */
  private async spill(): Promise<WriteStream> {
    this.dir = await mkdtemp(path.join(tmpdir(), this.prefix));
    const out = createWriteStream(path.join(this.dir, 'spool'));
    out.on('error', (error) => (this.failure = error));
    this.out = out;

    for (const held of this.chunks) {
      if (!out.write(held)) await once(out, 'drain');
    }
    this.chunks = [];

    return out;
  }
}
