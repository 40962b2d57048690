import type { z } from 'zod';
import type * as shapes from '../../../src/api/repository-shapes.js';
import type * as scans from '../../../src/api/scan-shapes.js';
import type * as schemas from '../../../src/api/schemas.js';
import type { AdvisoryStatus, SeverityLevel } from '../../../src/scan/advisories/model.js';

// Shapes of the /api/v1 answers the portal reads, taken from the schemas that validate the
// server's responses (as src/cli/client/types.ts does for the CLI): type-only imports, which the
// build erases, so none of the server's code reaches the bundle.

export { projectRoles, type ProjectAction } from '../../../src/auth/permissions.js';
export {
  ADVISORY_STATUSES as advisoryStatuses,
  SEVERITY_LEVELS as severityLevels,
  type AdvisoryStatus,
  type SeverityLevel,
} from '../../../src/scan/advisories/model.js';

/** A page of a server-side listing: `listOf` in src/api/schemas.ts. */
export interface Listing<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type Whoami = z.output<typeof schemas.whoami>;
export type Project = z.output<typeof schemas.project>;
export type ProjectDetail = z.output<typeof schemas.projectDetail>;
export type Quota = z.output<typeof schemas.quota>;
export type QuotaUpdate = z.input<typeof schemas.quotaUpdate>;
export type Member = z.output<typeof schemas.member>;
export type Robot = z.output<typeof schemas.robot>;
export type RobotCreated = z.output<typeof schemas.robotCreated>;
export type RobotCreate = z.input<typeof schemas.robotCreate>;
export type Grant = z.input<typeof schemas.grant>;
export type AuditEvent = z.output<typeof schemas.auditEvent>;
export type AuditPage = z.output<typeof schemas.auditPage>;
export type User = z.output<typeof schemas.user>;
export type PasswordChange = z.input<typeof schemas.passwordChange>;

/** What POST /users/me/cli-secret answers: the secret is in this answer only. */
export interface CliSecret {
  username: string;
  secret: string;
}

export type Repository = z.output<typeof shapes.repository>;
export type ProjectStorage = z.output<typeof shapes.projectStorage>;
export type Platform = z.output<typeof shapes.platform>;
export type Artifact = z.output<typeof shapes.artifact>;
export type Tag = z.output<typeof shapes.tag>;
export type Layer = z.output<typeof shapes.layer>;
export type Referrer = z.output<typeof shapes.referrer>;
export type ArtifactDetail = z.output<typeof shapes.artifactDetail>;
export type SizeHistory = z.output<typeof shapes.sizeHistory>;

// The scanning shapes (src/api/scan-shapes.ts) build some fields from lists (severities,
// statuses) that zod types as plain strings: `Exact` puts the precise types back.
type Exact<T, Fields> = Omit<T, keyof Fields> & Fields;

/** Findings per severity, how many have a fix, and all of them. */
export type ScanSummary = Record<SeverityLevel, number> & {
  fixable: number;
  total: number;
  /** What the scan could not read or match; absent in scans from before it was counted. */
  problems?: number;
};
export type ScanState = z.output<typeof scans.scanBrief>['status'];
/** An artifact's scan as the artifact listing carries it. */
export type ScanBrief = Exact<z.output<typeof scans.scanBrief>, { summary?: ScanSummary }>;
type ImageScan = NonNullable<z.output<typeof scans.scanOverview>['children']>[number];
/** An artifact's scan: for an index, its images' scans added up, and each of them. */
export type ScanOverview = Exact<
  z.output<typeof scans.scanOverview>,
  { summary?: ScanSummary; children?: Exact<ImageScan, { summary?: ScanSummary }>[] }
>;
export type Vulnerability = Exact<
  z.output<typeof scans.vulnerability>,
  { severity: SeverityLevel; status: AdvisoryStatus }
>;
export type VulnerabilityPage = Exact<
  z.output<typeof scans.vulnerabilityList>,
  { items: Vulnerability[]; summary: ScanSummary }
>;
export type InventoryPackage = z.output<typeof scans.inventoryPackage>;
export type PackagePage = z.output<typeof scans.packageList>;
export type ScanHistory = Exact<
  z.output<typeof scans.history>,
  { points: { at: string; summary: ScanSummary }[] }
>;
export type ScanningStatus = z.output<typeof scans.systemStatus>;
/** An artifact in a repository's listing: with its scan, when scanning is on. */
export type ListedArtifact = Artifact & { scan?: ScanBrief };

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
