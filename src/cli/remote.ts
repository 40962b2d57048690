import type { Command } from 'commander';
import { pageQuery } from '../api/schemas.js';
import { CliError } from './client/index.js';

/** Options every command that talks to a server takes. */
export interface RemoteFlags {
  server?: string;
  json?: boolean;
}

/** Adds --server, and --json to commands whose answer is a record or a list. */
export function remote(command: Command, { json = true } = {}): Command {
  command.option(
    '--server <url>',
    'the server to talk to (default: $BERTH_SERVER, else the last login)',
  );
  if (json) command.option('--json', "print the API's JSON instead of a table");

  return command;
}

/**
 * Wraps a command's action: a CliError is printed as one line on stderr and the exit code set
 * to 1; anything else is a bug and keeps its stack trace (bin/berth prints it).
 */
export function run<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      process.stderr.write(`berth: ${err.message}\n`);
      process.exitCode = 1;
    }
  };
}

/**
 * The API's bounds for a listing page (src/api/schemas.ts, published in its OpenAPI document):
 * the CLI refuses what the server would, with the option's name rather than the query's.
 */
const pageBounds = {
  page: bounds(pageQuery.shape.page.unwrap()),
  pageSize: bounds(pageQuery.shape.pageSize.unwrap()),
};

interface Bounds {
  min: number;
  max: number;
}

function bounds(schema: { minValue: number | null; maxValue: number | null }): Bounds {
  return { min: schema.minValue ?? 1, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER };
}

/** Adds --page and --page-size to a listing of `things`, 50 to a page unless told otherwise. */
export function paged(command: Command, things: string): Command {
  const { page, pageSize } = pageBounds;

  return command
    .option('--page <n>', 'page to show', wholeNumber(command, '--page', page), 1)
    .option(
      '--page-size <n>',
      `${things} per page (at most ${pageSize.max})`,
      wholeNumber(command, '--page-size', pageSize),
      50,
    );
}

/**
 * A Commander parser for a whole-number option. It reports through the command, as a usage
 * error of its own wording: an InvalidArgumentError would be prefixed with Commander's
 * "option '--page-size <n>' argument '500' is invalid".
 */
function wholeNumber(
  command: Command,
  flag: string,
  { min, max }: Bounds,
): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (number >= min && number <= max) return number;

    return command.error(`${flag} must be a whole number between ${min} and ${max}`, {
      code: 'berth.invalidNumber',
    });
  };
}

/** Commander parser for repeatable options: `--label a=1 --label b=2`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** How to get the next page of a listing, when there is one. */
export function nextPageHint(listing: {
  page: number;
  pageSize: number;
  total: number;
}): string | undefined {
  const first = (listing.page - 1) * listing.pageSize + 1;
  const last = Math.min(listing.total, listing.page * listing.pageSize);
  if (last >= listing.total) return undefined;

  return `showing ${first}-${last} of ${listing.total}; next: --page ${listing.page + 1}`;
}
