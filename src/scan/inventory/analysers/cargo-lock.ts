// Rust crates pinned by a Cargo.lock (TOML, one [[package]] table per crate: name, version,
// source, checksum, dependencies). Images carry one where a Rust project was copied in to be
// built, or shipped with its sources. Crates without a `source` are the workspace's own
// members and path dependencies: they were never published, so a crates.io advisory about a
// crate of the same name is not about them, and they are left out.

import { parse } from 'smol-toml';
import { bufferedAnalyser, UnreadableFileError, type FileAnalyser } from '../analyser.js';
import type { FoundPackage } from '../types.js';

const LOCKFILE = /(?:^|\/)Cargo\.lock$/;

export const cargoLockAnalysers: FileAnalyser[] = [
  bufferedAnalyser({
    id: 'cargo-lock',
    maxBytes: 16 * 2 ** 20,
    matches: ({ path }) => LOCKFILE.test(path),
    parse: (content) => ({ kind: 'packages', packages: parseCargoLock(content.toString('utf8')) }),
  }),
];

export function parseCargoLock(text: string): FoundPackage[] {
  let lockfile: Record<string, unknown>;
  try {
    lockfile = parse(text);
  } catch (error) {
    throw new UnreadableFileError(`not TOML: ${(error as Error).message.split('\n')[0]}`);
  }

  const listed = lockfile.package ?? [];
  if (!Array.isArray(listed)) throw new UnreadableFileError('"package" is not an array of tables');

  return listed.flatMap((entry: unknown) => {
    const { name, version, source } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string') return [];
    if (typeof source !== 'string') return [];

    return [{ type: 'cargo' as const, name, version, licenses: [] }];
  });
}
