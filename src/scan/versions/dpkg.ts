// Debian package versions, ordered as `dpkg --compare-versions` orders them (Debian Policy
// §5.6.12 "Version"): [epoch:]upstream_version[-debian_revision].
import {
  checkLength,
  compareDigits,
  InvalidVersionError,
  problemOf,
  type VersionOrdering,
} from './ordering.js';

interface DpkgVersion {
  epoch: bigint;
  upstream: string;
  revision: string;
}

/** dpkg stores the epoch in a C int and refuses larger ones. */
const MAX_EPOCH = 2n ** 31n - 1n;

function parse(version: string): DpkgVersion {
  checkLength('dpkg', version);
  const fail = (reason: string): never => {
    throw new InvalidVersionError('dpkg', version, reason);
  };

  // dpkg trims blanks (spaces and tabs) and refuses them inside.
  const text = version.replace(/^[ \t]+|[ \t]+$/g, '');
  if (text === '') fail('empty');
  if (/[ \t]/.test(text)) fail('embedded spaces');
  if (/[^\x21-\x7e]/.test(text)) fail('character outside printable ASCII');

  // The epoch is read with strtol: an optional sign, digits, then the first colon.
  const colon = text.indexOf(':');
  const epochText = colon === -1 ? '0' : text.slice(0, colon);
  if (!/^[+-]?\d+$/.test(epochText))
    fail(epochText === '' ? 'epoch is empty' : 'epoch is not a number');
  const epoch = BigInt(epochText);
  if (epoch < 0n) fail('epoch is negative');
  if (epoch > MAX_EPOCH) fail('epoch is too big');

  const rest = text.slice(colon + 1);
  if (rest === '') fail('nothing after the epoch');
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : rest.slice(hyphen + 1);
  if (hyphen !== -1 && revision === '') fail('revision is empty');
  if (upstream === '') fail('upstream version is empty');

  // Policy also wants upstream to start with a digit and allows only alphanumerics and
  // ".+~-:" (".+~" in the revision); dpkg merely warns about those and orders such versions,
  // so Berth does too.
  return { epoch, upstream, revision };
}

/**
 * The weight of one character in a non-digit run: `~` before everything, even the end of the
 * string; then the end; then letters; then everything else, by ASCII code.
 */
function weight(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === '~') return -1;
  if (/[A-Za-z]/.test(char)) return char.charCodeAt(0);

  return char.charCodeAt(0) + 256;
}

/** Policy's comparison of an upstream version or a revision: non-digit runs, then digit runs. */
function compareFragments(a: string, b: string): number {
  let i = 0;
  let j = 0;

  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const left = i < a.length && !isDigit(a[i]) ? a[i] : undefined;
      const right = j < b.length && !isDigit(b[j]) ? b[j] : undefined;
      const order = weight(left) - weight(right);
      if (order !== 0) return order;

      i++;
      j++;
    }

    const digitsA = leadingDigits(a, i);
    const digitsB = leadingDigits(b, j);
    const order = compareDigits(digitsA, digitsB);
    if (order !== 0) return order;

    i += digitsA.length;
    j += digitsB.length;
  }

  return 0;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function leadingDigits(text: string, from: number): string {
  let end = from;
  while (isDigit(text[end])) end++;

  return text.slice(from, end);
}

function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);

  return (
    Number(x.epoch - y.epoch) ||
    compareFragments(x.upstream, y.upstream) ||
    compareFragments(x.revision, y.revision)
  );
}

export const dpkg: VersionOrdering = { problem: problemOf(parse), compare };
