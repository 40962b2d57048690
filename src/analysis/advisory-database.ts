// The advisory database as the registry uses it: the file `berth advisories import` writes
// (another process, possibly while the server runs), read through one open store. Its version
// names what was imported, so a scan knows whether its findings are current.

import { createHash } from 'node:crypto';
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

  constructor(readonly file: string) {}

  async sources(): Promise<SourceSummary[]> {
    return (await this.store()).sources();
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
    await (await opened)?.close();
  }

  private store(): Promise<AdvisoryStore> {
    this.opened ??= openAdvisoryStore(this.file).catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });

    return this.opened;
  }
}

export function versionOf(sources: readonly SourceSummary[]): string {
  if (sources.length === 0) return NO_ADVISORIES;

  const imports = sources.map(({ name, importedAt, advisories }) => [name, importedAt, advisories]);
  return createHash('sha256').update(JSON.stringify(imports)).digest('hex').slice(0, 16);
}
