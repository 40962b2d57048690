// The advisory database as the registry uses it: the file `berth advisories import` writes
// (another process, possibly while the server runs), read through one open store. Its version
// names what was imported, so a scan knows whether its findings are current.

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import {
  openAdvisoryStore,
  type AdvisoryStore,
  type SourceSummary,
} from '../scan/advisories/index.js';
import type { AdvisoryLookup } from '../scan/match/index.js';

/** The version of a database with nothing imported. */
export const NO_ADVISORIES = 'none';

export class AdvisoryDatabase {
  private opened: Promise<AdvisoryStore> | undefined;
  /** Device and inode of the file opened: a database moved or copied into place is another. */
  private identity: string | undefined;

  constructor(readonly file: string) {}

  /**
   * The imported sources. A file that cannot be read (copied over while open, which SQLite
   * sees as corruption, or not a database at all) drops the handle, so the next look opens
   * the file afresh instead of failing until a restart.
   */
  async sources(): Promise<SourceSummary[]> {
    try {
      return await (await this.store()).sources();
    } catch (err) {
      await this.close().catch(() => undefined);
      throw err;
    }
  }

  /** Changes whenever a source is imported, replaced or added. */
  async version(): Promise<string> {
    return versionOf(await this.sources());
  }

  async lookup(): Promise<AdvisoryLookup> {
    return this.store();
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    this.identity = undefined;
    await (await opened)?.close();
  }

  /**
   * The open store, reopened when the file was replaced (a database built elsewhere and moved
   * into place, or deleted and imported again): an open SQLite handle would go on reading the
   * old file for as long as the process lives. The old handle is closed a minute later, when
   * matches that were using it have finished.
   */
  private store(): Promise<AdvisoryStore> {
    const identity = identityOf(this.file);
    if (this.opened && identity !== this.identity) {
      const replaced = this.opened;
      this.opened = undefined;
      setTimeout(
        () => void replaced.then((old) => old.close()).catch(() => undefined),
        60_000,
      ).unref();
    }

    if (!this.opened) {
      this.identity = identity;
      this.opened = openAdvisoryStore(this.file).catch((err: unknown) => {
        this.opened = undefined;
        throw err;
      });
    }

    return this.opened;
  }
}

function identityOf(file: string): string | undefined {
  try {
    const { dev, ino } = statSync(file);
    return `${dev}:${ino}`;
  } catch {
    return undefined;
  }
}

export function versionOf(sources: readonly SourceSummary[]): string {
  if (sources.length === 0) return NO_ADVISORIES;

  const imports = sources.map(({ name, importedAt, advisories }) => [name, importedAt, advisories]);
  return createHash('sha256').update(JSON.stringify(imports)).digest('hex').slice(0, 16);
}
