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
  projects: ProjectTable;
  users: UserTable;
  project_members: ProjectMemberTable;
  robots: RobotTable;
  signing_keys: SigningKeyTable;
  audit_events: AuditEventTable;
  login_failures: LoginFailureTable;
  image_scans: ImageScanTable;
  image_analyses: ImageAnalysisTable;
  image_findings: ImageFindingsTable;
  scan_history: ScanHistoryTable;
  layer_analyses: LayerAnalysisTable;
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
  /** Set when no manifest of the repository references the blob any more (not counted in quotas). */
  released_at: number | null;
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

/** The first path component of a repository name is its project. */
export interface ProjectTable {
  id: Generated<number>;
  name: string;
  /** 1 when anyone, signed in or not, may pull. */
  public: number;
  /** JSON object of string labels, e.g. {"env":"prod"}. */
  labels: string;
  /** Storage limit in bytes; null for none. */
  quota_bytes: number | null;
  /** Usage fraction (0..1) at which a quota warning event is raised. */
  quota_warning: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export type IdentitySource = 'local' | 'oidc' | 'ldap';

export interface UserTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  display_name: string | null;
  /** argon2id PHC string; null for accounts that sign in elsewhere (OIDC, LDAP). */
  password_hash: string | null;
  source: IdentitySource;
  admin: number;
  disabled: number;
  /** Groups last reported by the identity source, JSON array; they name memberships. */
  groups: string;
  /** Refresh tokens issued before this instant are refused (password change, disable). */
  tokens_valid_after: number;
  created_at: number;
  last_login_at: number | null;
  /** The identity source's own stable id of the account (OIDC `sub`), so a name is not reused. */
  external_id: Generated<string | null>;
  /** sha256 of the CLI secret OIDC users give registry clients instead of a password. */
  cli_secret_hash: Generated<string | null>;
}

export type MemberKind = 'user' | 'group';

export interface ProjectMemberTable {
  project_id: number;
  member_kind: MemberKind;
  /** A username or a group name. */
  member_name: string;
  role: string;
  created_at: number;
}

export interface RobotTable {
  id: Generated<number>;
  /** The full login name: robot$<name> (system) or robot$<project>+<name> (project). */
  name: string;
  /** Set for project robots; system robots have none. */
  project_id: number | null;
  description: string | null;
  /** sha256 of the secret: secrets are 256-bit random, so a fast hash is enough. */
  secret_hash: string;
  /** JSON array of RobotGrant. */
  grants: string;
  expires_at: number | null;
  disabled: number;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  /** Tokens issued before this instant are refused (secret rotation, disable). */
  tokens_valid_after: Generated<number>;
}

/** Keys that sign registry tokens; retired keys still verify until their tokens expire. */
export interface SigningKeyTable {
  kid: string;
  algorithm: string;
  private_pem: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
}

export interface AuditEventTable {
  id: Generated<number>;
  at: number;
  actor: string;
  actor_kind: string;
  action: string;
  project: string | null;
  resource: string | null;
  result: string;
  remote_addr: string | null;
  /** JSON object with action-specific fields; never a credential. */
  detail: string | null;
}

/** Failed sign-ins per account name, for slowing down and locking out guessing. */
export interface LoginFailureTable {
  account: string;
  failures: number;
  first_failed_at: number;
  locked_until: number | null;
}

export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

/**
 * The scan of one image manifest in one repository: the job (queued, running) and, once done,
 * its outcome. The analysis and findings it points at are per digest, shared by every
 * repository holding the image.
 */
export interface ImageScanTable {
  repository_id: number;
  digest: string;
  status: ScanStatus;
  /** Why it was queued: push, request, schedule, advisories. */
  reason: string;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** Runs begun, counting runs whose node died; a job is failed after a few. */
  attempts: number;
  error: string | null;
  /** The advisory database version the findings were matched against. */
  advisories: string | null;
  /** Counts per severity, JSON. */
  summary: string | null;
  /** The SBOM referrers pushed for this image into this repository, JSON array of digests. */
  sboms: string | null;
}

/** What an image holds (inventory, OS, problems), read once per analyser version. */
export interface ImageAnalysisTable {
  digest: string;
  analyser: string;
  analysed_at: number;
  /** gzip-compressed JSON. */
  content: Buffer;
}

/** The latest match of an image's analysis against the advisory database. */
export interface ImageFindingsTable {
  digest: string;
  advisories: string;
  matched_at: number;
  /** gzip-compressed JSON: findings and match problems. */
  content: Buffer;
}

/** Counts per severity each time an image was matched, for charts. */
export interface ScanHistoryTable {
  digest: string;
  at: number;
  summary: string;
}

/** One reading of one layer, kept so that images sharing the layer never read it again. */
export interface LayerAnalysisTable {
  /** The analyser's cache key: its version and the layer digest. */
  key: string;
  digest: string;
  stored_at: number;
  /** gzip-compressed JSON. */
  content: Buffer;
}
