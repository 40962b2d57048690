// RubyGems versions, ordered as Gem::Version orders them (RubyGems 3.3, lib/rubygems/version.rb):
// segments of digits or letters; any letter makes a pre-release, which sorts before the release.
import { checkLength, InvalidVersionError, problemOf, type VersionOrdering } from './ordering.js';

type Segment = bigint | string;

/** Gem::Version's own syntax check; surrounding blanks are allowed and a blank string is "0". */
const VERSION = /^\s*(?:[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

/**
 * The segments Gem::Version compares: a `-` stands for ".pre.", and trailing zeros are dropped
 * from the numeric part and from the part that starts at the first letters, so 1.0 equals 1 and
 * 1.0.a equals 1.a.
 */
function parse(version: string): Segment[] {
  if (version !== '') checkLength('rubygems', version);
  if (!VERSION.test(version))
    throw new InvalidVersionError('rubygems', version, 'malformed version');

  const text = version.trim().replaceAll('-', '.pre.') || '0';
  const segments: Segment[] = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^\d/.test(s) ? BigInt(s) : s,
  );

  const firstLetters = segments.findIndex((s) => typeof s === 'string');
  const numeric = firstLetters === -1 ? segments : segments.slice(0, firstLetters);
  const rest = firstLetters === -1 ? [] : segments.slice(firstLetters);

  return [...dropTrailingZeros(numeric), ...dropTrailingZeros(rest)];
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && segments[end - 1] === 0n) end--;

  return segments.slice(0, end);
}

function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);

  // A missing segment counts as 0; letters sort before numbers, letters among themselves by byte.
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const left = x[i] ?? 0n;
    const right = y[i] ?? 0n;
    if (left === right) continue;

    if (typeof left === 'string' && typeof right !== 'string') return -1;
    if (typeof left !== 'string' && typeof right === 'string') return 1;
    return left < right ? -1 : 1;
  }

  return 0;
}

export const rubygems: VersionOrdering = { problem: problemOf(parse), compare };
