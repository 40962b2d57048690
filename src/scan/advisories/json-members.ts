import type { Readable } from 'node:stream';
import { AdvisoryImportError, importError } from './errors.js';

// Reads a JSON document whose top level is an object, one member at a time, so that the Debian
// security tracker's export (60–100 MB, one member per source package) is never in memory as a
// whole: only the member being read is. This module only finds where each member's name and
// value begin and end, tracking strings and nesting depth; JSON.parse then validates and
// converts each piece.

const quote = 0x22;
const backslash = 0x5c;
const colon = 0x3a;
const comma = 0x2c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;

/** Where the scanner is: between tokens (the first five) or inside a name or a value. */
type State = 'start' | 'name-or-end' | 'colon' | 'before-value' | 'comma-or-end' | 'done' | Token;
type Token = 'name' | 'string' | 'nested' | 'literal';

/** Yields `[name, value]` for each member of the top-level object, in document order. */
export async function* objectMembers(
  stream: Readable,
  file: string,
  maxMemberBytes: number,
): AsyncGenerator<[string, unknown]> {
  const scanner = new MemberScanner(file, maxMemberBytes);
  try {
    for await (const chunk of stream) {
      yield* scanner.push(chunk as Buffer);
    }
  } catch (err) {
    // Read errors (a zip entry that inflates past its declared size) name the file too.
    throw importError(file, err);
  } finally {
    stream.destroy();
  }

  scanner.end();
}

class MemberScanner {
  private state: State = 'start';
  private afterComma = false;
  private name = '';
  /** The token being read, in pieces: a chunk may end anywhere inside it. */
  private pieces: Buffer[] = [];
  private length = 0;
  private inString = false;
  private escaped = false;
  private depth = 0;
  private empty = true;

  constructor(
    private readonly file: string,
    private readonly maxMemberBytes: number,
  ) {}

  push(chunk: Buffer): Array<[string, unknown]> {
    const members: Array<[string, unknown]> = [];
    let tokenStart = this.inToken() ? 0 : -1;
    if (chunk.length > 0) this.empty = false;

    let i = 0;
    while (i < chunk.length) {
      const byte = chunk[i]!;

      if (!this.inToken()) {
        if (!isWhitespace(byte)) this.between(byte);
        if (this.inToken()) tokenStart = i;
        i++;
        continue;
      }

      const end = this.tokenEnd(byte, i);
      if (end < 0) {
        i++;
        continue;
      }
      this.collect(chunk.subarray(tokenStart, end));
      tokenStart = -1;
      if (this.state === 'name') this.finishName();
      else members.push(this.finishValue());
      // A literal ends before the byte that ends it, which is read again as punctuation.
      i = end;
    }

    if (tokenStart >= 0) this.collect(chunk.subarray(tokenStart));

    return members;
  }

  end(): void {
    if (this.state === 'done') return;

    throw this.error(
      this.empty ? 'is empty' : 'ends before its top-level object is closed (truncated?)',
    );
  }

  private inToken(): boolean {
    const s = this.state;
    return s === 'name' || s === 'string' || s === 'nested' || s === 'literal';
  }

  /** Punctuation between tokens, or the first byte of a name or value. */
  private between(byte: number): void {
    switch (this.state) {
      case 'start':
        if (byte !== openBrace) throw this.unexpected(byte, 'the top level is not a JSON object');
        this.state = 'name-or-end';
        return;

      case 'name-or-end':
        if (byte === closeBrace && !this.afterComma) this.state = 'done';
        else if (byte === quote) this.startToken('name', true);
        else throw this.unexpected(byte, 'expected a member name');
        return;

      case 'colon':
        if (byte !== colon) throw this.unexpected(byte, `expected ":" after "${this.name}"`);
        this.state = 'before-value';
        return;

      case 'before-value':
        if (byte === quote) this.startToken('string', true);
        else if (byte === openBrace || byte === openBracket) this.startToken('nested', false, 1);
        else if (byte === comma || byte === closeBrace) throw this.unexpected(byte, 'no value');
        else this.startToken('literal', false);
        return;

      case 'comma-or-end':
        if (byte === closeBrace) this.state = 'done';
        else if (byte === comma) {
          this.state = 'name-or-end';
          this.afterComma = true;
        } else throw this.unexpected(byte, 'expected "," or "}"');
        return;

      default:
        throw this.unexpected(byte, 'data after the top-level object');
    }
  }

  private startToken(token: Token, inString: boolean, depth = 0): void {
    this.state = token;
    this.inString = inString;
    this.escaped = false;
    this.depth = depth;
  }

  /**
   * Where the token ends if this byte ends it (the index just past it), or -1. Names and
   * strings end at their closing quote, objects and arrays at the bracket that closes them, and
   * numbers and literals just before the comma, brace or space that follows them.
   */
  private tokenEnd(byte: number, at: number): number {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === backslash) this.escaped = true;
      else if (byte === quote) {
        this.inString = false;
        if (this.state !== 'nested') return at + 1;
      }
      return -1;
    }

    if (this.state === 'literal') {
      const ends = byte === comma || byte === closeBrace || byte === closeBracket;
      return ends || isWhitespace(byte) ? at : -1;
    }

    if (byte === quote) this.inString = true;
    else if (byte === openBrace || byte === openBracket) this.depth++;
    else if (byte === closeBrace || byte === closeBracket) {
      this.depth--;
      if (this.depth === 0) return at + 1;
    }
    return -1;
  }

  private collect(piece: Buffer): void {
    this.length += piece.length;
    if (this.length > this.maxMemberBytes) {
      const what = this.state === 'name' ? 'a member name' : `member "${this.name}"`;
      throw this.error(`${what} is larger than the limit of ${this.maxMemberBytes} bytes`);
    }

    this.pieces.push(piece);
  }

  private finishName(): void {
    this.name = this.parse() as string;
    this.state = 'colon';
    this.afterComma = false;
  }

  private finishValue(): [string, unknown] {
    const value = this.parse();
    this.state = 'comma-or-end';

    return [this.name, value];
  }

  private parse(): unknown {
    const text = Buffer.concat(this.pieces, this.length).toString('utf8');
    this.pieces = [];
    this.length = 0;

    try {
      return JSON.parse(text);
    } catch (err) {
      const what = this.state === 'name' ? 'a member name' : `member "${this.name}"`;
      throw this.error(`${what} is not valid JSON (${(err as Error).message})`);
    }
  }

  private unexpected(byte: number, expectation: string): AdvisoryImportError {
    return this.error(`unexpected "${String.fromCharCode(byte)}": ${expectation}`);
  }

  private error(problem: string): AdvisoryImportError {
    return new AdvisoryImportError(this.file, problem);
  }
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
