// A package's licence category from what it declares. SPDX expressions are parsed; other
// names are split on "or" and "and" as distributions write them. Where a licence offers a
// choice (OR) the least restrictive option counts; where several apply at once (AND, or a
// package declaring several licences) the most restrictive one does. A part that cannot be
// recognised never outweighs one that can: a package is `unknown` only when nothing it
// declares is recognised, or it declares nothing.

import parseSpdx from 'spdx-expression-parse';
import { categoryOfId, categoryOfName, type LicenseCategory } from './categories.js';

/** From least to most restrictive; `unknown` is left out. */
const RESTRICTIVENESS: readonly LicenseCategory[] = [
  'public-domain',
  'permissive',
  'weak-copyleft',
  'strong-copyleft',
  'network-copyleft',
  'proprietary',
];

export function categoryOfLicenses(declared: readonly string[]): LicenseCategory {
  return mostRestrictive(declared.map(categoryOfLicense));
}

/** The category of one declared licence: an SPDX expression or a name. */
export function categoryOfLicense(text: string): LicenseCategory {
  const trimmed = text.trim();
  if (trimmed === '') return 'unknown';

  try {
    return categoryOfExpression(parseSpdx(trimmed));
  } catch {
    return categoryOfNames(trimmed);
  }
}

function categoryOfExpression(node: parseSpdx.Info): LicenseCategory {
  if ('license' in node) return categoryOfId(node.license, node.exception);

  const sides = [categoryOfExpression(node.left), categoryOfExpression(node.right)];

  return node.conjunction === 'or' ? leastRestrictive(sides) : mostRestrictive(sides);
}

/** "Artistic or GPL-1+", "GPLv2+ and LGPLv2+ and BSD", "(MIT OR ASL 2.0)". */
function categoryOfNames(text: string): LicenseCategory {
  const choices = text.replace(/[()]/g, ' ').split(/\s+or\s+|\s*\|\s*/i);

  return leastRestrictive(
    choices.map((choice) =>
      mostRestrictive(choice.split(/\s+and\s+|\s*[,&;]\s*/i).map(categoryOfName)),
    ),
  );
}

function mostRestrictive(categories: readonly LicenseCategory[]): LicenseCategory {
  return pick(categories, (a, b) => (a > b ? a : b));
}

function leastRestrictive(categories: readonly LicenseCategory[]): LicenseCategory {
  return pick(categories, (a, b) => (a < b ? a : b));
}

function pick(
  categories: readonly LicenseCategory[],
  better: (a: number, b: number) => number,
): LicenseCategory {
  const ranks = categories
    .map((category) => RESTRICTIVENESS.indexOf(category))
    .filter((rank) => rank >= 0);
  if (ranks.length === 0) return 'unknown';

  return RESTRICTIVENESS[ranks.reduce(better)]!;
}
