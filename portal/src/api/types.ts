// Shapes of the /api/v1 answers the portal reads, as GET /api/v1/openapi.json describes them.

export interface Listing<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Whoami {
  kind: 'anonymous' | 'user' | 'robot';
  name: string;
  admin: boolean;
  groups: string[];
}

export interface Project {
  name: string;
  public: boolean;
  labels: Record<string, string>;
  quotaBytes: number | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Quota {
  limitBytes: number | null;
  usedBytes: number;
  warning: number;
}

export const projectRoles = [
  'limited-guest',
  'guest',
  'developer',
  'maintainer',
  'project-admin',
] as const;
export type ProjectRole = (typeof projectRoles)[number];

export interface Member {
  kind: 'user' | 'group';
  name: string;
  role: ProjectRole;
  createdAt: string;
}

/** What a robot may be granted (docs/access-control.md, "Robot accounts"). */
export const robotActions = [
  'read-project',
  'pull',
  'read-sbom',
  'read-quota',
  'read-audit',
  'read-policies',
  'push',
  'delete-tag',
  'delete-artifact',
  'delete-repository',
  'scan',
] as const;

export interface Robot {
  name: string;
  project: string | null;
  description: string | null;
  grants: { project: string; repositories?: string[]; actions: string[] }[];
  expiresAt: string | null;
  disabled: boolean;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  actorKind: string;
  action: string;
  project: string | null;
  resource: string | null;
  result: string;
  remoteAddr: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditPage {
  items: AuditEvent[];
  next: number | null;
}

export interface User {
  username: string;
  email: string | null;
  displayName: string | null;
  source: 'local' | 'oidc' | 'ldap';
  admin: boolean;
  disabled: boolean;
  groups: string[];
  createdAt: string;
  lastLoginAt: string | null;
}

export interface Repository {
  name: string;
  project: string;
  artifactCount: number;
  tagCount: number;
  sizeBytes: number;
  lastPushedAt: string | null;
}

export interface ProjectStorage {
  usedBytes: number;
  limitBytes: number | null;
  repositories: { name: string; sizeBytes: number }[];
  repositoryCount: number;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Artifact {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  sizeBytes: number;
  tags: string[];
  tagCount: number;
  platforms: Platform[];
  pushedAt: string;
  lastPulledAt: string | null;
}

export interface Tag {
  name: string;
  digest: string;
  pushedAt: string;
  lastPulledAt: string | null;
}

export interface Layer {
  digest: string;
  mediaType: string;
  sizeBytes: number;
  createdBy: string | null;
  comment: string | null;
}

export interface Referrer {
  digest: string;
  subject: string;
  depth: number;
  mediaType: string;
  artifactType: string | null;
  sizeBytes: number;
  annotations: Record<string, string>;
  pushedAt: string;
}

export interface ArtifactDetail extends Artifact {
  repository: string;
  manifestSizeBytes: number;
  manifest: unknown;
  config: { digest: string; mediaType: string; sizeBytes: number; content: unknown } | null;
  platform: Platform | null;
  created: string | null;
  layers: Layer[];
  history: { created: string | null; createdBy: string | null; emptyLayer: boolean }[];
  children: { digest: string; mediaType: string; sizeBytes: number; platform: Platform | null }[];
  annotations: Record<string, string>;
  labels: Record<string, string>;
  referrers: Referrer[];
}

export interface SizeHistory {
  points: { digest: string; tags: string[]; sizeBytes: number; pushedAt: string }[];
}
