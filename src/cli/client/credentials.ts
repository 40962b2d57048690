import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './http.js';

/** What `berth login` keeps for one server. Never a password: only the refresh token. */
export interface StoredLogin {
  username: string;
  refreshToken: string;
}

export interface Credentials {
  /** The server commands talk to when neither --server nor BERTH_SERVER names one. */
  current?: string;
  servers: Record<string, StoredLogin>;
}

/** $BERTH_CONFIG_DIR/credentials.json, else $XDG_CONFIG_HOME/berth/, else ~/.config/berth/. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir =
    env.BERTH_CONFIG_DIR ||
    path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'berth');

  return path.join(dir, 'credentials.json');
}

export function readCredentials(): Credentials {
  const file = credentialsPath();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }

  const parsed = parseCredentials(text);
  if (!parsed) throw new CliError(`${file} is not a Berth credentials file; remove it and log in`);
  return parsed;
}

/**
 * Replaces the file in one step (a temporary file renamed over it), so that a command
 * interrupted mid-write, or two commands refreshing at once, never leave half a file. The file
 * is readable by its owner only, and so is its directory.
 */
export function saveCredentials(credentials: Credentials): void {
  const file = credentialsPath();
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);

  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** Reads the file, lets `change` edit it, and saves it: for changes to one server's login. */
export function updateCredentials(change: (credentials: Credentials) => void): void {
  const credentials = readCredentials();
  change(credentials);
  saveCredentials(credentials);
}

function parseCredentials(text: string): Credentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }

  const { current, servers } = (value ?? {}) as Partial<Credentials>;
  if (typeof servers !== 'object' || servers === null) return undefined;
  const valid = Object.values(servers).every(
    (login) => typeof login?.username === 'string' && typeof login.refreshToken === 'string',
  );
  if (!valid || (current !== undefined && typeof current !== 'string')) return undefined;

  return { current, servers };
}
