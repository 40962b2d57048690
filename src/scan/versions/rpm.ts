// RPM versions, [epoch:]version[-release], ordered as rpm 4.18 orders them: epoch, version and
// release each compared with rpmvercmp (rpm's lib/rpmvercmp.c describes the rules).
import { checkLength, compareDigits, problemOf, type VersionOrdering } from './ordering.js';

interface Evr {
  epoch: string;
  version: string;
  /** Undefined when the string has no `-`: such a version sorts below any release of itself. */
  release: string | undefined;
}

function parse(text: string): Evr {
  checkLength('rpm', text);

  // The epoch is the digits before a first `:`; anything else before it belongs to the version.
  const epoch = /^(\d*):/.exec(text);
  const rest = epoch ? text.slice(epoch[0].length) : text;
  const hyphen = rest.lastIndexOf('-');

  return {
    epoch: epoch?.[1] || '0',
    version: hyphen === -1 ? rest : rest.slice(0, hyphen),
    release: hyphen === -1 ? undefined : rest.slice(hyphen + 1),
  };
}

const isAlnum = (char: string): boolean => /[A-Za-z0-9]/.test(char);
const isDigit = (char: string): boolean => char >= '0' && char <= '9';

/**
 * rpmvercmp: alternating runs of digits and letters, anything else only separates them. A digit
 * run beats a letter run. `~` sorts before anything, the end included (1.0~rc1 < 1.0); `^` sorts
 * after the end but before anything else (1.0 < 1.0^git1 < 1.0.1).
 */
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;

  for (;;) {
    while (i < a.length && !isAlnum(a[i]!) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]!) && b[j] !== '~' && b[j] !== '^') j++;
    const x = a[i];
    const y = b[j];

    if (x === '~' || y === '~') {
      if (x !== '~') return 1;
      if (y !== '~') return -1;
      i++;
      j++;
      continue;
    }

    if (x === '^' || y === '^') {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (x !== '^') return 1;
      if (y !== '^') return -1;
      i++;
      j++;
      continue;
    }

    if (x === undefined || y === undefined) break;

    const numeric = isDigit(x);
    const segmentA = run(a, i, numeric);
    const segmentB = run(b, j, numeric);

    // Runs of different types: the numeric one is newer.
    if (segmentB === '') return numeric ? 1 : -1;

    const order = numeric ? compareDigits(segmentA, segmentB) : compareText(segmentA, segmentB);
    if (order !== 0) return order;

    i += segmentA.length;
    j += segmentB.length;
  }

  if (i >= a.length && j >= b.length) return 0;

  return i >= a.length ? -1 : 1;
}

function run(text: string, from: number, numeric: boolean): string {
  let end = from;
  while (end < text.length && (numeric ? isDigit(text[end]!) : /[A-Za-z]/.test(text[end]!))) end++;

  return text.slice(from, end);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);

  const order = rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version);
  if (order !== 0 || (x.release === undefined && y.release === undefined)) return order;
  if (x.release === undefined) return -1;
  if (y.release === undefined) return 1;

  return rpmvercmp(x.release, y.release);
}

export const rpm: VersionOrdering = { problem: problemOf(parse), compare };
