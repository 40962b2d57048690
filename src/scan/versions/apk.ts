// Alpine package versions, ordered as apk-tools 2.x orders them (its src/version.c):
// digits{.digits}[letter]{_suffix[digits]}[-r<revision>], read as a chain of typed tokens
// where each token's kind is decided by the separator before it.
import { checkLength, InvalidVersionError, problemOf, type VersionOrdering } from './ordering.js';

/**
 * The kinds of token. The numbering matters twice: a version may not go back to a lower kind
 * (except as noted in nextKind), and when two versions agree up to the point where their next
 * tokens differ in kind, the one whose next token has the larger kind is the smaller version
 * (so 1.0-r1 < 1.0.1 and 1.0 < 1.0-r1, the end being the largest kind).
 */
const Kind = {
  /** A number after a dot: its leading zeros are a token of their own. */
  dotted: 0,
  number: 1,
  letter: 2,
  suffix: 3,
  suffixNumber: 4,
  revision: 5,
  end: 6,
} as const;

type Kind = (typeof Kind)[keyof typeof Kind];

interface Token {
  kind: Kind;
  value: bigint;
}

/** Pre-release suffixes take negative values, so that they sort before the bare version. */
const PRE_RELEASE = ['alpha', 'beta', 'pre', 'rc'];
const POST_RELEASE = ['cvs', 'svn', 'git', 'hg', 'p'];

class Reader {
  pos = 0;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** Reads a token of `kind`; returns its value and the kind of the token after it. */
  read(kind: Kind): { value: bigint; next: Kind } | undefined {
    if (this.done) return { value: 0n, next: Kind.end };
    const rest = this.text.slice(this.pos);

    let value: bigint;
    let forced: Kind | undefined;
    const zeros = kind === Kind.dotted ? /^0+/.exec(rest)?.[0] : undefined;
    if (zeros) {
      // Leading zeros after a dot count minus their number (1.01 < 1.1, 1.00 < 1.0); what
      // follows them is read as a number, even an empty one.
      value = -BigInt(zeros.length);
      this.pos += zeros.length;
      forced = Kind.number;
    } else if (kind === Kind.letter) {
      value = BigInt(rest.charCodeAt(0));
      this.pos += 1;
    } else if (kind === Kind.suffix) {
      const suffix = readSuffix(rest);
      if (!suffix) return undefined;
      value = suffix.value;
      this.pos += suffix.length;
    } else {
      // A number may be empty: apk reads no digits as 0.
      const digits = /^\d*/.exec(rest)![0];
      value = digits === '' ? 0n : BigInt(digits);
      this.pos += digits.length;
    }

    if (this.done) return { value, next: Kind.end };
    const next = forced ?? this.nextKind(kind);

    return next === undefined ? undefined : { value, next };
  }

  /** The kind of the next token, from the character after `previous`; skips separators. */
  private nextKind(previous: Kind): Kind | undefined {
    const char = this.text[this.pos]!;
    const next = this.classify(previous, char);
    if (next === undefined || next >= previous) return next;

    // Going back to a lower kind is only allowed for a new dotted number after a number, a new
    // suffix after a suffix's number, and a number after a letter.
    const allowed =
      (next === Kind.dotted && previous === Kind.number) ||
      (next === Kind.suffix && previous === Kind.suffixNumber) ||
      (next === Kind.number && previous === Kind.letter);

    return allowed ? next : undefined;
  }

  private classify(previous: Kind, char: string): Kind | undefined {
    const digit = char >= '0' && char <= '9';
    if ((previous === Kind.number || previous === Kind.dotted) && char >= 'a' && char <= 'z')
      return Kind.letter;
    if (previous === Kind.letter && digit) return Kind.number;
    if (previous === Kind.suffix && digit) return Kind.suffixNumber;

    this.pos += 1;
    if (char === '.') return Kind.dotted;
    if (char === '_') return Kind.suffix;
    if (char === '-' && this.text[this.pos] === 'r') {
      this.pos += 1;
      return Kind.revision;
    }

    return undefined;
  }
}

function readSuffix(rest: string): { value: bigint; length: number } | undefined {
  const pre = PRE_RELEASE.findIndex((suffix) => rest.startsWith(suffix));
  if (pre !== -1)
    return { value: BigInt(pre - PRE_RELEASE.length), length: PRE_RELEASE[pre]!.length };

  const post = POST_RELEASE.findIndex((suffix) => rest.startsWith(suffix));
  if (post !== -1) return { value: BigInt(post), length: POST_RELEASE[post]!.length };

  return undefined;
}

function tokenize(version: string): Token[] {
  checkLength('apk', version);
  const reader = new Reader(version);
  const tokens: Token[] = [];

  for (let kind: Kind = Kind.number; kind !== Kind.end;) {
    const read = reader.read(kind);
    if (!read)
      throw new InvalidVersionError('apk', version, `unexpected character at ${reader.pos}`);

    tokens.push({ kind, value: read.value });
    kind = read.next;
  }

  return tokens;
}

function compare(a: string, b: string): number {
  const x = tokenize(a);
  const y = tokenize(b);

  // Both sides read tokens of the same kind for as long as they agree.
  for (let i = 0; ; i++) {
    const valueA = x[i]!.value;
    const valueB = y[i]!.value;
    if (valueA !== valueB) return valueA < valueB ? -1 : 1;

    const nextA = x[i + 1];
    const nextB = y[i + 1];
    const kindA = nextA?.kind ?? Kind.end;
    const kindB = nextB?.kind ?? Kind.end;
    if (kindA === kindB) {
      if (kindA === Kind.end) return 0;
      continue;
    }

    // One side goes on differently: a pre-release suffix makes its side the smaller, otherwise
    // the side going on with the larger kind is.
    if (kindA === Kind.suffix && nextA!.value < 0n) return -1;
    if (kindB === Kind.suffix && nextB!.value < 0n) return 1;

    return kindA > kindB ? -1 : 1;
  }
}

export const apk: VersionOrdering = { problem: problemOf(tokenize), compare };
