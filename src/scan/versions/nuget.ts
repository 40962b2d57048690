// NuGet package versions, ordered as NuGet.Versioning's VersionComparer.Default orders them
// (learn.microsoft.com, "NuGet package version reference"): up to four numbers, then SemVer 2.0
// release labels compared case-insensitively; build metadata is ignored.
import {
  checkLength,
  compareDigits,
  InvalidVersionError,
  problemOf,
  type VersionOrdering,
} from './ordering.js';

interface NuGetVersion {
  numbers: string[];
  labels: string[];
}

const VERSION =
  /^(\d+(?:\.\d+){0,3})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** NuGet keeps each number in a .NET int. */
const INT_MAX = String(2 ** 31 - 1);

function parse(version: string): NuGetVersion {
  checkLength('nuget', version);

  const match = VERSION.exec(version);
  if (!match) throw new InvalidVersionError('nuget', version, 'not a NuGet version');

  const numbers = match[1]!.split('.');
  if (numbers.some((n) => compareDigits(n, INT_MAX) > 0)) {
    throw new InvalidVersionError('nuget', version, 'number too large');
  }
  while (numbers.length < 4) numbers.push('0');

  return { numbers, labels: match[2]?.split('.') ?? [] };
}

function compareLabels(a: string[], b: string[]): number {
  // A release sorts after all of its pre-releases.
  if (a.length === 0 || b.length === 0) return b.length - a.length;

  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareLabel(a[i]!, b[i]!);
    if (order !== 0) return order;
  }

  return a.length - b.length;
}

/** Numeric labels by value and before alphanumeric ones, which compare case-insensitively. */
function compareLabel(a: string, b: string): number {
  const numericA = /^\d+$/.test(a);
  const numericB = /^\d+$/.test(b);
  if (numericA && numericB) return compareDigits(a, b);
  if (numericA !== numericB) return numericA ? -1 : 1;

  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);

  for (let i = 0; i < 4; i++) {
    const order = compareDigits(x.numbers[i]!, y.numbers[i]!);
    if (order !== 0) return order;
  }

  return compareLabels(x.labels, y.labels);
}

export const nuget: VersionOrdering = { problem: problemOf(parse), compare };
