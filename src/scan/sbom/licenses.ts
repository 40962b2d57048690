import parseSpdx from 'spdx-expression-parse';

/**
 * A declared licence, as SBOM formats can carry it: an SPDX licence id, an SPDX expression,
 * or a name that is neither (Debian copyright files say "GPL-2+", old npm packages "BSD").
 * Names are never guessed into ids: a guess (BSD → BSD-2-Clause) would be a false statement.
 */
export type DeclaredLicense =
  | { kind: 'id'; id: string }
  | { kind: 'expression'; expression: string }
  | { kind: 'name'; name: string };

export function classifyLicense(text: string): DeclaredLicense {
  const trimmed = text.trim();
  try {
    const parsed = parseSpdx(trimmed);
    const single = 'license' in parsed && !parsed.plus && !parsed.exception;
    if (single && !parsed.license.startsWith('LicenseRef-'))
      return { kind: 'id', id: parsed.license };

    return { kind: 'expression', expression: trimmed };
  } catch {
    return { kind: 'name', name: trimmed };
  }
}
