import type { Generated } from 'kysely';

/**
 * Tables of the advisory database, a SQLite file of its own beside the registry's metadata:
 * its content is bulk, imported, and can be thrown away and imported again. Timestamps are
 * integer milliseconds; lists and ratings are JSON text.
 */
export interface AdvisoryDatabase {
  sources: SourceTable;
  advisories: AdvisoryTable;
  affected_packages: AffectedPackageTable;
}

/** One import: re-importing under the same name replaces everything it brought. */
export interface SourceTable {
  name: string;
  format: string;
  path: string;
  imported_at: number;
  /** The newest record's modified time, or for formats without dates the files' mtime. */
  data_at: number | null;
  advisory_count: number;
  package_count: number;
  /** OSV records skipped because they were withdrawn. */
  withdrawn_count: number;
  /** JSON: affected-package records per status, counted at import. */
  status_counts: string;
}

export interface AdvisoryTable {
  source: string;
  id: string;
  aliases: string;
  summary: string | null;
  details: string | null;
  published_at: number | null;
  modified_at: number | null;
}

export interface AffectedPackageTable {
  id: Generated<number>;
  source: string;
  advisory_id: string;
  ecosystem: string;
  /** Distribution release, or '' for language ecosystems. */
  release: string;
  package: string;
  /** The name lookups use: lower-cased or normalised where the ecosystem says names are. */
  package_key: string;
  purl: string | null;
  status: string;
  ranges: string;
  versions: string;
  /** The chosen level and who set it: the first known level among `severities`. */
  severity: string;
  severity_source: string | null;
  severities: string;
  note: string | null;
}
