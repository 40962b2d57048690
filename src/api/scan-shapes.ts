import { z } from 'zod';
import type { ScanOverview } from '../analysis/index.js';
import { ADVISORY_STATUSES, SEVERITY_LEVELS } from '../scan/advisories/index.js';
import type { InventoryPackage } from '../scan/model.js';
import type { Finding } from '../scan/match/index.js';
import { artifactParams } from './repository-shapes.js';
import { pageQuery } from './schemas.js';

// Shapes of the scanning endpoints (src/api/scans.ts): scan status and counts, findings,
// packages, the system view of the queue and the advisory database.

const timestamp = z.iso.datetime().describe('RFC 3339 time in UTC');
const severity = z.enum(SEVERITY_LEVELS as [string, ...string[]]);

export const scanStates = [
  'not-scanned',
  'queued',
  'running',
  'done',
  'failed',
  'unsupported',
] as const;

export const summary = z
  .object({
    ...Object.fromEntries(SEVERITY_LEVELS.map((level) => [level, z.number().int()])),
    fixable: z.number().int().describe('findings with a fixed version to upgrade to'),
    total: z.number().int(),
    problems: z
      .number()
      .int()
      .optional()
      .describe('layers, files or packages the scan could not read or match: not a clean bill'),
  })
  .describe('findings per severity');

const overviewFields = {
  digest: z.string(),
  status: z
    .enum(scanStates)
    .describe('unsupported: not an image (a signature, an SBOM, a chart): nothing to scan'),
  reason: z
    .string()
    .optional()
    .describe('why it was last queued: push, request, schedule, advisories'),
  queuedAt: timestamp.optional(),
  startedAt: timestamp.optional(),
  finishedAt: timestamp.optional(),
  error: z.string().optional(),
  advisories: z
    .string()
    .optional()
    .describe('version of the advisory database matched against; "none" when it was empty'),
  summary: summary.optional(),
  sboms: z.array(z.string()).describe('digests of the SBOM referrers attached to the image'),
};

export const scanOverview = z.object({
  ...overviewFields,
  children: z
    .array(z.object(overviewFields))
    .optional()
    .describe("an index's images, each with its own scan"),
});

export const scanBrief = z.object({
  status: z.enum(scanStates),
  summary: summary.optional(),
  advisories: overviewFields.advisories,
});

const listParam = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .max(200)
    .transform((text, ctx) => {
      const items = text.split(',').filter(Boolean);
      // An empty list (`severity=`, as a cleared form field sends it) filters nothing.
      if (items.length === 0) return undefined;
      const unknown = items.find((item) => !values.includes(item as T));
      if (unknown) {
        ctx.addIssue({
          code: 'custom',
          message: `"${unknown}" is not one of ${values.join(', ')}`,
        });
        return z.NEVER;
      }
      return items as T[];
    })
    .optional();

export const vulnerabilityQuery = pageQuery.extend({
  severity: listParam(SEVERITY_LEVELS).describe('comma-separated severities to keep'),
  status: listParam(ADVISORY_STATUSES).describe('comma-separated statuses to keep'),
  fixable: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('only findings with (true) or without (false) a fixed version'),
});

export const packageQuery = pageQuery.extend({
  type: z.string().max(20).optional().describe('package type: deb, apk, rpm, npm, pypi, golang, …'),
});

export const sbomQuery = z.object({
  format: z.enum(['cyclonedx', 'spdx']).default('cyclonedx'),
});

export const historyQuery = z.object({
  days: z.coerce.number().int().min(1).max(3650).default(90),
});

export const scanParams = artifactParams;

const rating = z.object({
  source: z.string(),
  level: severity,
  value: z.string(),
  score: z.number().optional(),
});

export const vulnerability = z.object({
  id: z.string(),
  aliases: z.array(z.string()),
  summary: z.string().optional(),
  severity,
  severitySource: z.string().optional(),
  severities: z.array(rating),
  status: z.enum(ADVISORY_STATUSES as [string, ...string[]]),
  note: z.string().optional(),
  package: z.object({
    type: z.string(),
    name: z.string(),
    purl: z.string(),
    location: z.string(),
    sourceName: z.string().optional(),
    sourceVersion: z.string().optional(),
  }),
  installedVersion: z.string(),
  fixedVersion: z.string().optional(),
  layerDigest: z.string(),
  sources: z.array(z.string()),
});

export const vulnerabilityList = z.object({
  items: z.array(vulnerability),
  total: z.number().int().describe('findings that pass the filters'),
  page: z.number().int(),
  pageSize: z.number().int(),
  summary: summary.describe('every finding of the image, before the filters'),
  os: z.string().nullable().describe("the image's operating system, as os-release names it"),
  matched: z.boolean().describe('false when no advisory had been imported when it was matched'),
  problems: z.array(z.object({ kind: z.string(), detail: z.string() })),
});

export const inventoryPackage = z.object({
  type: z.string(),
  name: z.string(),
  version: z.string(),
  purl: z.string(),
  licenses: z.array(z.string()),
  location: z.string(),
  layerDigest: z.string(),
  sourceName: z.string().optional(),
  sourceVersion: z.string().optional(),
  arch: z.string().optional(),
});

export const packageList = z.object({
  items: z.array(inventoryPackage),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  types: z.record(z.string(), z.number().int()).describe('packages per type, before the filters'),
});

export const history = z.object({
  points: z.array(z.object({ at: timestamp, summary })),
});

export const systemStatus = z.object({
  enabled: z.boolean(),
  onPush: z.boolean(),
  queue: z.object({
    queued: z.number().int(),
    running: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
  }),
  advisories: z.object({
    version: z.string(),
    sources: z.array(
      z.object({
        name: z.string(),
        format: z.string(),
        importedAt: timestamp,
        dataAt: timestamp.optional(),
        advisories: z.number().int(),
        packages: z.number().int(),
      }),
    ),
    error: z
      .string()
      .optional()
      .describe('Why the database cannot be read; the version is then `unreadable`'),
  }),
});

export const rescanResult = z.object({ queued: z.number().int() });

const iso = (ms: number) => new Date(ms).toISOString();

export function overviewOut(overview: ScanOverview): z.output<typeof scanOverview> {
  const { queuedAt, startedAt, finishedAt, children, ...rest } = overview;

  return {
    ...rest,
    ...(queuedAt !== undefined && { queuedAt: iso(queuedAt) }),
    ...(startedAt !== undefined && { startedAt: iso(startedAt) }),
    ...(finishedAt !== undefined && { finishedAt: iso(finishedAt) }),
    ...(children && { children: children.map(overviewOut) }),
  };
}

export function vulnerabilityOut(finding: Finding): z.output<typeof vulnerability> {
  return finding;
}

export function packageOut({
  files: _files,
  ...item
}: InventoryPackage): z.output<typeof inventoryPackage> {
  return item;
}
