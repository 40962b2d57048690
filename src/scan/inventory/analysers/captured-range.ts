// One byte range of a file that streams past in order, kept as it goes by: the way to read a
// known part of a file (a table, a section) without holding the rest.

export class CapturedRange {
  private readonly chunks: Buffer[] = [];
  /** File offset of the next byte wanted. */
  private next: number;

  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    this.next = start;
  }

  /** Takes what it wants of `chunk`, which starts at file offset `at`. */
  offer(chunk: Buffer, at: number): void {
    const from = Math.max(this.next, at);
    const to = Math.min(this.end, at + chunk.length);
    if (from !== this.next || to <= from) return;

    // A copy: a slice would keep the whole chunk alive.
    this.chunks.push(Buffer.from(chunk.subarray(from - at, to - at)));
    this.next = to;
  }

  get complete(): boolean {
    return this.next >= this.end;
  }

  /** The bytes captured so far, from `start`. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
