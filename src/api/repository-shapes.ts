import { z } from 'zod';
import type { ArtifactRecord, RepositorySummary, TagRecord } from '../metadata/index.js';
import { pageQuery } from './schemas.js';

// Shapes of the repository and artifact endpoints (src/api/repositories.ts). Like schemas.ts,
// each one both validates and documents, through the OpenAPI document.

const timestamp = z.iso.datetime().describe('RFC 3339 time in UTC');
const stringMap = z.record(z.string(), z.string());

export const repositoryParams = z.object({
  repository: z
    .string()
    .min(1)
    .max(255)
    .describe('full repository name with its project, URL-encoded: dev%2Fteam%2Fapp'),
});

export const artifactParams = repositoryParams.extend({
  reference: z.string().min(1).max(200).describe('a digest, or a tag naming the artifact'),
});

export const digestParams = repositoryParams.extend({
  digest: z.string().min(1).max(200),
});

export const tagParams = repositoryParams.extend({ tag: z.string().min(1).max(128) });

export const repositoryOrders = [
  'name',
  '-name',
  'size',
  '-size',
  'pushed',
  '-pushed',
  'artifacts',
  '-artifacts',
] as const;

export const repositoryQuery = pageQuery.extend({
  sort: z
    .enum(repositoryOrders)
    .default('name')
    .describe('sort key; a leading "-" sorts in descending order'),
});

export const repository = z.object({
  name: z.string(),
  project: z.string(),
  artifactCount: z.number().int().describe('artifacts listed on their own (not referrers)'),
  tagCount: z.number().int(),
  sizeBytes: z.number().int().describe('distinct blobs the repository links, plus manifests'),
  lastPushedAt: timestamp.nullable(),
});

export const platform = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
});

export const artifact = z.object({
  digest: z.string(),
  mediaType: z.string(),
  artifactType: z.string().nullable(),
  sizeBytes: z.number().int().describe('manifest, config and layers (children for an index)'),
  tags: z.array(z.string()).describe('the first tags in byte order; tagCount has them all'),
  tagCount: z.number().int(),
  platforms: z.array(platform).describe('platforms of an index; empty for an image'),
  pushedAt: timestamp,
  lastPulledAt: timestamp.nullable(),
});

export const tag = z.object({
  name: z.string(),
  digest: z.string(),
  pushedAt: timestamp.describe('when the tag last moved'),
  lastPulledAt: timestamp.nullable(),
});

export const layer = z.object({
  digest: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number().int(),
  createdBy: z.string().nullable().describe('the build step that made it, from the history'),
  comment: z.string().nullable(),
});

export const historyEntry = z.object({
  created: z.string().nullable(),
  createdBy: z.string().nullable(),
  comment: z.string().nullable(),
  emptyLayer: z.boolean(),
});

export const child = z.object({
  digest: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number().int(),
  platform: platform.nullable(),
});

export const referrer = z.object({
  digest: z.string(),
  subject: z.string().describe('the digest this one refers to: the artifact, or a referrer'),
  depth: z.number().int().describe('1 for referrers of the artifact itself'),
  mediaType: z.string(),
  artifactType: z.string().nullable(),
  sizeBytes: z.number().int(),
  annotations: stringMap,
  pushedAt: timestamp,
});

export type ReferrerNode = z.output<typeof referrer>;

export const artifactDetail = artifact.extend({
  repository: z.string(),
  manifestSizeBytes: z.number().int(),
  manifest: z.unknown().describe('the manifest as stored, parsed'),
  config: z
    .object({
      digest: z.string(),
      mediaType: z.string(),
      sizeBytes: z.number().int(),
      content: z.unknown().nullable().describe('the config, parsed, when it is JSON of ≤ 1 MiB'),
    })
    .nullable(),
  platform: platform.nullable(),
  created: z.string().nullable(),
  layers: z.array(layer),
  history: z.array(historyEntry),
  children: z.array(child).describe("an index's manifests"),
  annotations: stringMap,
  labels: stringMap.describe('labels of the image config'),
  referrers: z
    .array(referrer)
    .describe('the referrers tree (signatures, SBOMs, attestations) depth first, flattened'),
});

export const sizePoint = z.object({
  digest: z.string(),
  tags: z.array(z.string()),
  sizeBytes: z.number().int(),
  pushedAt: timestamp,
});

export const sizeHistory = z.object({
  points: z.array(sizePoint).describe('the newest artifacts, oldest first'),
});

export const projectStorage = z.object({
  usedBytes: z.number().int().describe('what counts against the quota: shared blobs count once'),
  limitBytes: z.number().int().nullable(),
  repositories: z
    .array(z.object({ name: z.string(), sizeBytes: z.number().int() }))
    .describe('the largest repositories; blobs they share count in each'),
  repositoryCount: z.number().int(),
});

// Records to API shapes.

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function repositoryOut(r: RepositorySummary, project: string): z.output<typeof repository> {
  return {
    name: r.name,
    project,
    artifactCount: r.artifactCount,
    tagCount: r.tagCount,
    sizeBytes: r.sizeBytes,
    lastPushedAt: isoOrNull(r.lastPushedAt),
  };
}

export function artifactOut(
  a: ArtifactRecord,
  extra: {
    sizeBytes: number;
    tags: { names: string[]; count: number };
    platforms: z.output<typeof platform>[];
  },
): z.output<typeof artifact> {
  return {
    digest: a.digest,
    mediaType: a.mediaType,
    artifactType: a.artifactType,
    sizeBytes: extra.sizeBytes,
    tags: extra.tags.names,
    tagCount: extra.tags.count,
    platforms: extra.platforms,
    pushedAt: iso(a.pushedAt),
    lastPulledAt: isoOrNull(a.lastPulledAt),
  };
}

export function tagOut(t: TagRecord): z.output<typeof tag> {
  return {
    name: t.name,
    digest: t.digest,
    pushedAt: iso(t.updatedAt),
    lastPulledAt: isoOrNull(t.lastPulledAt),
  };
}

export { iso };
