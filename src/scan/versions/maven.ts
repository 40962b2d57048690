// Maven versions, ordered as Maven 3.9's org.apache.maven.artifact.versioning.ComparableVersion
// orders them ("Version Order Specification" in the POM reference). Every string is a version.
import { checkLength, problemOf, type VersionOrdering } from './ordering.js';

/** A parsed version: numbers, qualifiers, and nested lists opened by `-` or a digit/letter switch. */
type Item = bigint | Qualifier | Item[];

class Qualifier {
  constructor(readonly name: string) {}
}

/** Known qualifiers in order; "" is the release itself. Others sort after `sp`, alphabetically. */
const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
/** Single letters directly followed by a number: 1-a1 is 1-alpha-1. */
const SHORT_FORMS: Record<string, string> = { a: 'alpha', b: 'beta', m: 'milestone' };

function qualifier(text: string, followedByDigit: boolean): Qualifier {
  const expanded = followedByDigit ? (SHORT_FORMS[text] ?? text) : text;

  return new Qualifier(ALIASES[expanded] ?? expanded);
}

/** The key Maven sorts qualifiers by: the index of a known one, else "7-" and the name. */
function rank(q: Qualifier): string {
  const index = QUALIFIERS.indexOf(q.name);

  return index === -1 ? `${QUALIFIERS.length}-${q.name}` : String(index);
}

const RELEASE = rank(new Qualifier(''));

function parse(version: string): Item[] {
  checkLength('maven', version);
  const text = version.toLowerCase();
  const root: Item[] = [];
  const lists = [root];
  let list = root;
  let start = 0;
  let digits = false;

  const open = (): void => {
    const child: Item[] = [];
    list.push(child);
    lists.push(child);
    list = child;
  };
  const token = (end: number, followedByDigit = false): Item =>
    digits ? BigInt(text.slice(start, end)) : qualifier(text.slice(start, end), followedByDigit);

  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;

    if (char === '.' || char === '-') {
      list.push(i === start ? 0n : token(i));
      start = i + 1;
      if (char === '-') open();
    } else if (isDigit(char)) {
      // A qualifier directly followed by a number, as in 1.0.0.X1, reads as 1.0.0-X-1.
      if (!digits && i > start) {
        if (list.length > 0) open();
        list.push(token(i, true));
        start = i;
        open();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        list.push(token(i));
        start = i;
        open();
      }
      digits = false;
    }
  }

  if (text.length > start) {
    // A trailing qualifier after a dot is treated as if a `-` preceded it.
    if (!digits && list.length > 0) open();
    list.push(token(text.length));
  }

  for (const nested of lists.reverse()) trimNulls(nested);

  return root;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

/** Zeros, release qualifiers and empty lists at the end of a list do not count: 1.0.0 is 1. */
function trimNulls(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i]!;
    if (isNull(item)) list.splice(i, 1);
    else if (!Array.isArray(item)) break;
  }
}

function isNull(item: Item): boolean {
  if (typeof item === 'bigint') return item === 0n;
  if (item instanceof Qualifier) return rank(item) === RELEASE;

  return item.length === 0;
}

/** ComparableVersion's item order; `undefined` is a missing item (the shorter side of a list). */
function compareItems(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -compareItems(b, undefined);

  if (typeof a === 'bigint') {
    if (b === undefined) return a === 0n ? 0 : 1;
    if (typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    return 1; // 1.1 > 1-sp and 1.1 > 1-1
  }

  if (a instanceof Qualifier) {
    if (b === undefined) return compareText(rank(a), RELEASE);
    if (b instanceof Qualifier) return compareText(rank(a), rank(b));
    return -1; // 1-rc < 1.1 and 1-rc < 1-1
  }

  // A list against nothing: its first item that is not null decides (MNG-6964).
  if (b === undefined) {
    for (const item of a) {
      const order = compareItems(item, undefined);
      if (order !== 0) return order;
    }
    return 0;
  }
  if (typeof b === 'bigint') return -1;
  if (b instanceof Qualifier) return 1;

  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compareItems(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compare(a: string, b: string): number {
  return compareItems(parse(a), parse(b));
}

export const maven: VersionOrdering = { problem: problemOf(parse), compare };
