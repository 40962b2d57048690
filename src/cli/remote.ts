import { InvalidArgumentError, type Command } from 'commander';
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

/** Commander parser for --page and --page-size. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');

  return number;
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
