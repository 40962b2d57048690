import type { Generated } from 'kysely';

/**
 * Table types for the metadata database. Timestamps are integer milliseconds since the epoch,
 * which both SQLite and PostgreSQL (bigint) store and compare the same way.
 */
export interface Database {
  repositories: RepositoryTable;
  blobs: BlobTable;
  repository_blobs: RepositoryBlobTable;
  manifests: ManifestTable;
  manifest_references: ManifestReferenceTable;
  tags: TagTable;
  uploads: UploadTable;
}

export interface RepositoryTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

/** Content the blob store holds, whoever links it. */
export interface BlobTable {
  digest: string;
  size: number;
  created_at: number;
}

/** A repository's claim on a blob: pushing or mounting a blob into a repository links it. */
export interface RepositoryBlobTable {
  repository_id: number;
  digest: string;
  created_at: number;
  last_pulled_at: number | null;
}

export interface ManifestTable {
  repository_id: number;
  digest: string;
  media_type: string;
  /** artifactType, or the config media type, as the referrers API reports it. */
  artifact_type: string | null;
  size: number;
  subject_digest: string | null;
  config_digest: string | null;
  /** JSON of the manifest's annotations, copied into referrers listings. */
  annotations: string | null;
  pushed_at: number;
  last_pulled_at: number | null;
}

/** What a manifest points at: its config, layers, or child manifests of an index. */
export interface ManifestReferenceTable {
  repository_id: number;
  manifest_digest: string;
  child_digest: string;
  kind: ReferenceKind;
}

export type ReferenceKind = 'config' | 'layer' | 'manifest';

export interface TagTable {
  repository_id: number;
  name: string;
  manifest_digest: string;
  updated_at: number;
  last_pulled_at: number | null;
}

/** Upload sessions live in the database so that any node, or a restarted one, can continue them. */
export interface UploadTable {
  id: string;
  repository_id: number;
  created_at: number;
  updated_at: number;
}
