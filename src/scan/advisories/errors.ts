import type { z } from 'zod';

/**
 * An import that cannot go on: unreadable or malformed input, or input in an unexpected format.
 * The message starts with the file (or `archive.zip!entry.json`) at fault.
 */
export class AdvisoryImportError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'AdvisoryImportError';
  }
}

/** Wraps a lower-level failure (I/O, zip structure) with the file it happened in. */
export function importError(file: string, err: unknown): AdvisoryImportError {
  if (err instanceof AdvisoryImportError) return err;

  return new AdvisoryImportError(file, err instanceof Error ? err.message : String(err));
}

/**
 * Checks a parsed JSON value against the shape a format promises, naming the first field that
 * does not fit: `debian.json: curl.CVE-2023-38545.releases: expected record, received string`.
 */
export function validated<T>(
  schema: z.ZodType<T>,
  value: unknown,
  file: string,
  what: string,
  at: Array<string | number> = [],
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const where = [...at, ...(issue?.path ?? [])].map(String).join('.');
  const message = (issue?.message ?? 'invalid').replace(/^Invalid input: /, '');

  throw new AdvisoryImportError(file, `${what}: ${where ? `${where}: ` : ''}${message}`);
}
