// Python package versions, ordered per PEP 440 ("Version specifiers", the PyPA specification)
// by @renovatebot/pep440, which follows the reference implementation, `packaging`.
import pep440Package from '@renovatebot/pep440';
import { checkLength, InvalidVersionError, problemOf, type VersionOrdering } from './ordering.js';

const { valid, compare: comparePep440 } = pep440Package;

/** packaging ignores surrounding whitespace; the library does not, so it is trimmed here. */
function parse(version: string): string {
  checkLength('pep440', version);

  const text = version.trim();
  if (valid(text) === null)
    throw new InvalidVersionError('pep440', version, 'not a PEP 440 version');

  return text;
}

function compare(a: string, b: string): number {
  return comparePep440(parse(a), parse(b));
}

export const pep440: VersionOrdering = { problem: problemOf(parse), compare };
