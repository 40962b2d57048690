import type { VersionScheme } from '../model.js';

/** One version scheme's ordering, as a comparator module provides it. */
export interface VersionOrdering {
  /** Undefined when the scheme can place `version` in its order, otherwise the reason it cannot. */
  problem(version: string): string | undefined;

  /** Negative, zero or positive. Throws InvalidVersionError for a version that has a problem(). */
  compare(a: string, b: string): number;
}

/** A version string that its scheme cannot order. The only error the comparators throw. */
export class InvalidVersionError extends Error {
  constructor(
    readonly scheme: VersionScheme,
    readonly version: string,
    readonly reason: string,
  ) {
    super(`invalid ${scheme} version "${shorten(version)}": ${reason}`);
    this.name = 'InvalidVersionError';
  }
}

/**
 * Longer strings are refused before parsing. Real versions are far shorter (the longest in
 * Debian's archive is under 100 characters); the cap bounds the work an advisory file or a
 * package database can ask for.
 */
export const MAX_VERSION_LENGTH = 256;

/** Builds problem() from a parser that throws InvalidVersionError. */
export function problemOf(
  parse: (version: string) => unknown,
): (version: string) => string | undefined {
  return (version) => {
    try {
      parse(version);
      return undefined;
    } catch (error) {
      if (error instanceof InvalidVersionError) return error.reason;
      throw error;
    }
  };
}

/** Throws unless `version` is a string of reasonable length. */
export function checkLength(scheme: VersionScheme, version: string): void {
  if (typeof version !== 'string')
    throw new InvalidVersionError(scheme, String(version), 'not a string');
  if (version.length === 0) throw new InvalidVersionError(scheme, version, 'empty');
  if (version.length > MAX_VERSION_LENGTH) {
    throw new InvalidVersionError(scheme, version, `longer than ${MAX_VERSION_LENGTH} characters`);
  }
}

/** Compares two runs of ASCII digits by value, whatever their length or leading zeros. */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;

  return x < y ? -1 : x > y ? 1 : 0;
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function shorten(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
