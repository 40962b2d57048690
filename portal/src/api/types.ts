import type { z } from 'zod';
import type * as shapes from '../../../src/api/repository-shapes.js';
import type * as schemas from '../../../src/api/schemas.js';

// Shapes of the /api/v1 answers the portal reads, taken from the schemas that validate the
// server's responses (as src/cli/client/types.ts does for the CLI): type-only imports, which the
// build erases, so none of the server's code reaches the bundle.

export { projectRoles, type ProjectRole } from '../../../src/auth/permissions.js';

/** A page of a server-side listing: `listOf` in src/api/schemas.ts. */
export interface Listing<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type Whoami = z.output<typeof schemas.whoami>;
export type Project = z.output<typeof schemas.project>;
export type Quota = z.output<typeof schemas.quota>;
export type Member = z.output<typeof schemas.member>;
export type Robot = z.output<typeof schemas.robot>;
export type RobotCreated = z.output<typeof schemas.robotCreated>;
export type AuditEvent = z.output<typeof schemas.auditEvent>;
export type AuditPage = z.output<typeof schemas.auditPage>;
export type User = z.output<typeof schemas.user>;

export type Repository = z.output<typeof shapes.repository>;
export type ProjectStorage = z.output<typeof shapes.projectStorage>;
export type Platform = z.output<typeof shapes.platform>;
export type Artifact = z.output<typeof shapes.artifact>;
export type Tag = z.output<typeof shapes.tag>;
export type Layer = z.output<typeof shapes.layer>;
export type Referrer = z.output<typeof shapes.referrer>;
export type ArtifactDetail = z.output<typeof shapes.artifactDetail>;
export type SizeHistory = z.output<typeof shapes.sizeHistory>;

/**
 * What a robot may be granted (docs/access-control.md, "Robot accounts"). A copy of
 * `robotActions` in src/auth/accounts.ts: that module hashes secrets with node:crypto, which
 * the browser bundle cannot take.
 */
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
