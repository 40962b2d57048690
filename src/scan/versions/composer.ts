// Composer (Packagist) versions. Composer normalises a version (composer/semver's
// VersionParser::normalize: four numbers, a stability suffix) and orders the normalised strings
// with PHP's version_compare(). Branch names (dev-main) have no order and are refused.
import { checkLength, InvalidVersionError, problemOf, type VersionOrdering } from './ordering.js';

/** A stability suffix and its numbers, then an optional -dev, as VersionParser accepts them. */
const MODIFIER = String.raw`[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?`;
const CLASSIC = new RegExp(String.raw`^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(
  String.raw`^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)${MODIFIER}$`,
  'i',
);
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;
const STABILITY_NAMES: Record<string, string> = {
  a: 'alpha',
  b: 'beta',
  p: 'patch',
  pl: 'patch',
  rc: 'RC',
};

/** Composer's normal form, e.g. v1.2-beta.3 → 1.2.0.0-beta3, 2.x-dev → 2.9999999.9999999.9999999-dev. */
function normalize(version: string): string {
  checkLength('composer', version);
  const fail = (reason: string): never => {
    throw new InvalidVersionError('composer', version, reason);
  };

  let text = version.trim();
  text = /^([^,\s]+) +as +[^,\s]+$/.exec(text)?.[1] ?? text;
  text = text.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (['master', 'trunk', 'default'].includes(text) || /^dev-/i.test(text))
    fail('a branch, not a version');
  text = /^([^,\s+]+)\+\S+$/.exec(text)?.[1] ?? text;

  const classic = CLASSIC.exec(text);
  if (classic) {
    const numbers = [classic[1], classic[2] || '.0', classic[3] || '.0', classic[4] || '.0'].join(
      '',
    );
    return withModifier(numbers, classic.slice(5));
  }

  const date = DATE.exec(text);
  if (date) return withModifier(date[1]!.replace(/\D/g, '.'), date.slice(2));

  // A numeric branch such as 1.0.x-dev stands for the newest commit of that branch.
  const branch = /^(.*?)[.-]?dev$/i.exec(text);
  const numeric = branch && NUMERIC_BRANCH.exec(branch[1]!.trim());
  if (numeric) {
    const parts = numeric.slice(1, 5).map((part) => part?.replace(/[*X]/g, 'x') ?? '.x');
    return `${parts.join('').replace(/x/g, '9999999')}-dev`;
  }

  return fail('not a version');
}

function withModifier(
  numbers: string,
  [stability, stabilityNumber, dev]: (string | undefined)[],
): string {
  // VersionParser compares the stability to "stable" case-sensitively.
  if (stability === 'stable') return numbers;

  const lower = stability?.toLowerCase();
  const suffix = lower
    ? `-${STABILITY_NAMES[lower] ?? lower}${stabilityNumber?.replace(/^[.-]+/, '') ?? ''}`
    : '';

  return `${numbers}${suffix}${dev ? '-dev' : ''}`;
}

/**
 * PHP's version_compare() reads a version as parts: `-`, `_`, `+` and other punctuation become
 * a dot (never two in a row), and a dot goes between digits and non-digits.
 */
function phpParts(version: string): string[] {
  let out = version[0] ?? '';

  for (let i = 1; i < version.length; i++) {
    const char = version[i]!;
    const previous = version[i - 1]!;
    const dot = out.endsWith('.') ? '' : '.';

    if (char === '-' || char === '_' || char === '+') out += dot;
    else if (isDigit(previous) !== isDigit(char) && previous !== '.' && char !== '.')
      out += dot + char;
    else if (!/[A-Za-z0-9]/.test(char)) out += dot;
    else out += char;
  }

  return out.split('.');
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

/** version_compare()'s special words; matched as prefixes, in this order. Numbers rank as "#". */
const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function formRank(part: string): number {
  return SPECIAL_FORMS.find(([form]) => part.startsWith(form))?.[1] ?? -1;
}

/** PHP reads numbers with strtol, which stops at the largest long. */
const LONG_MAX = 2n ** 63n - 1n;

function comparePart(a: string, b: string): number {
  if (isDigit(a[0] ?? '') && isDigit(b[0] ?? '')) {
    const x = BigInt(a) > LONG_MAX ? LONG_MAX : BigInt(a);
    const y = BigInt(b) > LONG_MAX ? LONG_MAX : BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  const x = isDigit(a[0] ?? '') ? '#' : a;
  const y = isDigit(b[0] ?? '') ? '#' : b;
  return Math.sign(formRank(x) - formRank(y));
}

function versionCompare(a: string, b: string): number {
  const x = phpParts(a);
  const y = phpParts(b);
  const common = Math.min(x.length, y.length);

  for (let i = 0; i < common; i++) {
    const order = comparePart(x[i]!, y[i]!);
    if (order !== 0) return order;
  }

  // The longer side wins if it goes on with a number; otherwise its next word is ranked
  // against a number's rank (so 1.0 > 1.0-beta but 1.0 < 1.0-patch).
  if (x.length === y.length) return 0;
  const longer = x.length > y.length ? x : y;
  const direction = x.length > y.length ? 1 : -1;
  const next = longer[common]!;
  if (isDigit(next[0] ?? '')) return direction;

  return direction * Math.sign(formRank(next) - formRank('#'));
}

function compare(a: string, b: string): number {
  return versionCompare(normalize(a), normalize(b));
}

export const composer: VersionOrdering = { problem: problemOf(normalize), compare };
