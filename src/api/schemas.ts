import { z } from 'zod';
import {
  labelKeyPattern,
  maxLabels,
  maxLabelValue,
  passwordMaxLength,
  passwordMinLength,
  projectNamePattern,
  repositoryPatternPattern,
  robotNamePattern,
  userNamePattern,
} from '../auth/index.js';
import type {
  AuditEvent,
  MemberRecord,
  ProjectRecord,
  RobotRecord,
  UserRecord,
} from '../metadata/index.js';
import { projectActionList, projectRoles, robotActionList } from './vocabulary.js';

// The management API's shapes. Each is the single source of both validation and the OpenAPI
// document (src/api/openapi.ts), so the two cannot drift apart.

const timestamp = z.iso.datetime().describe('RFC 3339 time in UTC');
/** Times the API is given may carry an offset (RFC 3339 section 5.6); it answers in UTC. */
const givenTime = z.iso
  .datetime({ offset: true })
  // 9999-12-31T23:30:00-01:00 is in the year 10000 in UTC, which no answer could state again.
  .refine((time) => new Date(time).getUTCFullYear() <= 9999, 'must lie before the year 10000 UTC')
  .describe('RFC 3339 time, in UTC or with an offset');
const labels = z.record(z.string(), z.string()).describe('string labels, e.g. {"env": "prod"}');

// What a request may carry: the rules src/auth/validation.ts applies, stated here too so that
// the document tells clients (and fuzzers) what the server accepts.
const projectName = z
  .string()
  .min(1)
  .max(128)
  .regex(projectNamePattern, 'lowercase letters and digits, separated by ".", "_", "__" or "-"');
const userName = z
  .string()
  .min(1)
  .max(128)
  .regex(userNamePattern, 'letters, digits, ".", "_", "@" or "-", around a letter or digit');
const robotName = z
  .string()
  .min(1)
  .max(64)
  .regex(robotNamePattern, 'lowercase letters, digits, ".", "_" or "-", around a letter or digit');
const password = z.string().min(passwordMinLength).max(passwordMaxLength);
const labelsInput = z
  .record(z.string().regex(labelKeyPattern, 'a label key'), z.string().max(maxLabelValue))
  .refine((value) => Object.keys(value).length <= maxLabels, `at most ${maxLabels} labels`)
  .meta({ maxProperties: maxLabels })
  .describe('string labels, e.g. {"env": "prod"}');

export const errorBody = z.object({
  errors: z.array(
    z.object({ code: z.string(), message: z.string(), detail: z.unknown().optional() }),
  ),
});

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  search: z.string().max(128).optional(),
});

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });
}

export const project = z.object({
  name: z.string(),
  public: z.boolean(),
  labels,
  quotaBytes: z.number().int().nullable(),
  createdBy: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** GET /projects/{project} also says what the caller may do there, for clients to offer it. */
export const projectDetail = project.extend({
  permissions: z
    .array(z.enum(projectActionList))
    .describe(
      'what the caller may do in the whole project (the permission matrix of ' +
        'docs/access-control.md); a robot grant narrowed to repositories adds nothing here',
    ),
});

export const projectCreate = z.strictObject({
  name: projectName,
  public: z.boolean().optional(),
  labels: labelsInput.optional(),
  quotaBytes: z.number().int().min(0).nullable().optional(),
});

export const projectUpdate = z.strictObject({
  public: z.boolean().optional(),
  labels: labelsInput.optional(),
});

export const quota = z.object({
  limitBytes: z.number().int().nullable(),
  usedBytes: z.number().int(),
  warning: z.number(),
});

export const quotaUpdate = z.strictObject({
  limitBytes: z.number().int().min(0).nullable(),
  warning: z.number().gt(0).max(1).optional(),
});

export const memberKind = z.enum(['user', 'group']);
export const role = z.enum(projectRoles);

export const member = z.object({
  kind: memberKind,
  name: z.string(),
  role,
  createdAt: timestamp,
});

export const memberPut = z.strictObject({ role });

export const user = z.object({
  username: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  source: z.enum(['local', 'oidc', 'ldap']),
  admin: z.boolean(),
  disabled: z.boolean(),
  groups: z.array(z.string()),
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
});

export const userCreate = z.strictObject({
  username: userName,
  password,
  email: z.string().max(256).nullable().optional(),
  displayName: z.string().max(256).nullable().optional(),
  admin: z.boolean().optional(),
});

export const userUpdate = z.strictObject({
  email: z.string().max(256).nullable().optional(),
  displayName: z.string().max(256).nullable().optional(),
  admin: z.boolean().optional(),
  disabled: z.boolean().optional(),
});

export const passwordChange = z.strictObject({
  password,
  currentPassword: z.string().max(256).optional(),
});

export const grant = z.strictObject({
  project: z
    .union([z.literal('*'), projectName])
    .describe('a project name, or "*" for every project'),
  repositories: z
    .array(
      z
        .string()
        .max(256)
        .regex(repositoryPatternPattern, '"/"-separated segments with "*" within one, or "**"'),
    )
    .max(32)
    .optional(),
  actions: z.array(z.enum(robotActionList)).min(1),
});

export const robot = z.object({
  name: z.string(),
  project: z.string().nullable(),
  description: z.string().nullable(),
  grants: z.array(
    z.object({
      project: z.string(),
      repositories: z.array(z.string()).optional(),
      actions: z.array(z.string()),
    }),
  ),
  expiresAt: timestamp.nullable(),
  disabled: z.boolean(),
  createdBy: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
});

export const robotCreate = z.strictObject({
  name: robotName,
  description: z.string().max(1024).nullable().optional(),
  grants: z.array(grant).min(1).max(100),
  expiresAt: givenTime.nullable().optional(),
});

/** A project robot's grants: the project defaults to the one in the path. */
export const projectRobotCreate = robotCreate.extend({
  grants: z
    .array(grant.extend({ project: grant.shape.project.optional() }))
    .min(1)
    .max(100),
});

export const robotCreated = z.object({
  robot,
  secret: z.string().describe('shown once; Berth keeps only a hash'),
});

export const robotUpdate = z.strictObject({
  description: z.string().max(1024).nullable().optional(),
  grants: z.array(grant).min(1).max(100).optional(),
  expiresAt: givenTime.nullable().optional(),
  disabled: z.boolean().optional(),
});

export const auditEvent = z.object({
  id: z.number().int(),
  at: timestamp,
  actor: z.string(),
  actorKind: z.string(),
  action: z.string(),
  project: z.string().nullable(),
  resource: z.string().nullable(),
  result: z.string(),
  remoteAddr: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export const auditQuery = z.object({
  from: givenTime.optional(),
  to: givenTime.optional(),
  actor: z.string().max(256).optional(),
  action: z.string().max(64).optional(),
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('id of the last event of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const auditPage = z.object({
  items: z.array(auditEvent),
  next: z.number().int().nullable().describe('pass as `before` for the next page'),
});

export const whoami = z.object({
  kind: z.enum(['anonymous', 'user', 'robot']),
  name: z.string(),
  admin: z.boolean(),
  groups: z.array(z.string()),
});

// Records to API shapes.

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function projectOut(p: ProjectRecord): z.output<typeof project> {
  return {
    name: p.name,
    public: p.public,
    labels: p.labels,
    quotaBytes: p.quotaBytes,
    createdBy: p.createdBy,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function memberOut(m: MemberRecord): z.output<typeof member> {
  return {
    kind: m.kind,
    name: m.name,
    role: m.role as z.output<typeof role>,
    createdAt: iso(m.createdAt),
  };
}

export function userOut(u: UserRecord): z.output<typeof user> {
  return {
    username: u.username,
    email: u.email,
    displayName: u.displayName,
    source: u.source,
    admin: u.admin,
    disabled: u.disabled,
    groups: u.groups,
    createdAt: iso(u.createdAt),
    lastLoginAt: isoOrNull(u.lastLoginAt),
  };
}

export function robotOut(r: RobotRecord, project: string | null): z.output<typeof robot> {
  return {
    name: r.name,
    project,
    description: r.description,
    grants: r.grants,
    expiresAt: isoOrNull(r.expiresAt),
    disabled: r.disabled,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    lastUsedAt: isoOrNull(r.lastUsedAt),
  };
}

export function auditOut(e: AuditEvent): z.output<typeof auditEvent> {
  return { ...e, at: iso(e.at) };
}
