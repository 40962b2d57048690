import type { z } from 'zod';
import type { ArtifactRecord } from '../metadata/index.js';
import { isIndexMediaType } from '../oci/mediatypes.js';
import type { Registry } from '../registry/index.js';
import type * as shapes from './repository-shapes.js';
import { iso, type ReferrerNode } from './repository-shapes.js';

type Json = Record<string, unknown>;
type Platform = z.output<typeof shapes.platform>;
type Layer = z.output<typeof shapes.layer>;
type HistoryEntry = z.output<typeof shapes.historyEntry>;

/** Configs larger than this are described, not returned: a real image config is a few KiB. */
const maxConfigBytes = 1024 * 1024;

/** Bounds on the referrers tree, so that a pathological chain of referrers stays a small answer. */
const maxReferrerDepth = 5;
const maxReferrerNodes = 200;

/** What an artifact is made of, read from its manifest and config in the blob store. */
export interface ArtifactContent {
  manifest: Json;
  config: z.output<typeof shapes.artifactDetail>['config'];
  platform: Platform | null;
  created: string | null;
  layers: Layer[];
  history: HistoryEntry[];
  children: z.output<typeof shapes.child>[];
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

/**
 * Reads a stored artifact: its manifest, its config, and the build history matched to its
 * layers. A history entry marked `empty_layer` made no layer (ENV, CMD…); the others pair with
 * the layers in order (image-spec config.md, "history").
 */
export async function readArtifact(
  registry: Registry,
  repositoryId: number,
  record: ArtifactRecord,
): Promise<ArtifactContent> {
  const manifest = parseJson(await registry.store.readAll(record.digest)) ?? {};
  const annotations = stringMap(manifest.annotations);
  if (isIndexMediaType(record.mediaType)) {
    const children = await describeChildren(registry, repositoryId, manifest);
    return { ...emptyImage(manifest, annotations), children };
  }

  const config = descriptor(manifest.config);
  const configJson = config ? await readConfig(registry, config) : null;
  const history = historyOf(configJson);
  const layerDescriptors = Array.isArray(manifest.layers) ? manifest.layers.map(descriptor) : [];
  const layers = withHistory(
    layerDescriptors.filter((d) => d !== undefined),
    history,
  );

  return {
    manifest,
    config: config ? { ...config, content: configJson } : null,
    platform: platformOf(configJson),
    created: typeof configJson?.created === 'string' ? configJson.created : null,
    layers,
    history,
    children: [],
    annotations,
    labels: stringMap((configJson?.config as Json | undefined)?.Labels),
  };
}

/** The platforms an index lists, read from its stored body. */
export async function platformsOfIndex(registry: Registry, digest: string): Promise<Platform[]> {
  const manifest = parseJson(await registry.store.readAll(digest));
  const children = Array.isArray(manifest?.manifests) ? (manifest.manifests as unknown[]) : [];

  return children.map((c) => platformOf((c as Json | null)?.platform as Json)).filter(isPlatform);
}

/**
 * The referrers of `digest`, and theirs, depth first: a signature of an SBOM of an image comes
 * right after the SBOM, naming it as its subject. Depth and size are bounded; a cycle
 * (impossible with content addressing, but cheap to guard) stops at a digest already shown.
 */
export async function referrersTree(
  registry: Registry,
  repositoryId: number,
  digest: string,
): Promise<ReferrerNode[]> {
  const seen = new Set([digest]);
  const nodes: ReferrerNode[] = [];

  const visit = async (subject: string, depth: number): Promise<void> => {
    if (depth > maxReferrerDepth) return;
    const records = await registry.meta.listReferrers(repositoryId, subject);
    const fresh = records.filter((r) => !seen.has(r.digest)).slice(0, maxReferrerNodes - seen.size);
    for (const r of fresh) seen.add(r.digest);

    const sizes = await registry.meta.artifactSizes(
      repositoryId,
      fresh.map((r) => r.digest),
    );
    for (const r of fresh) {
      nodes.push({
        digest: r.digest,
        subject,
        depth,
        mediaType: r.mediaType,
        artifactType: r.artifactType,
        sizeBytes: sizes.get(r.digest) ?? r.size,
        annotations: r.annotations ?? {},
        pushedAt: iso(r.pushedAt),
      });
      await visit(r.digest, depth + 1);
    }
  };

  await visit(digest, 1);
  return nodes;
}

function emptyImage(manifest: Json, annotations: Record<string, string>): ArtifactContent {
  return {
    manifest,
    config: null,
    platform: null,
    created: null,
    layers: [],
    history: [],
    children: [],
    annotations,
    labels: {},
  };
}

async function describeChildren(
  registry: Registry,
  repositoryId: number,
  manifest: Json,
): Promise<z.output<typeof shapes.child>[]> {
  const entries = Array.isArray(manifest.manifests) ? (manifest.manifests as Json[]) : [];
  const children = entries
    .map((entry) => ({ entry, d: descriptor(entry) }))
    .filter((c) => c.d !== undefined);
  const sizes = await registry.meta.artifactSizes(
    repositoryId,
    children.map((c) => c.d!.digest),
  );

  return children.map(({ entry, d }) => ({
    digest: d!.digest,
    mediaType: d!.mediaType,
    sizeBytes: sizes.get(d!.digest) ?? d!.sizeBytes,
    platform: platformOf(entry.platform as Json | undefined),
  }));
}

async function readConfig(
  registry: Registry,
  config: { digest: string; sizeBytes: number },
): Promise<Json | null> {
  if (config.sizeBytes > maxConfigBytes) return null;
  const stat = await registry.store.stat(config.digest);
  if (!stat) return null;

  return parseJson(await registry.store.readAll(config.digest));
}

function historyOf(config: Json | null): HistoryEntry[] {
  const entries = Array.isArray(config?.history) ? (config.history as Json[]) : [];

  return entries.map((h) => ({
    created: typeof h?.created === 'string' ? h.created : null,
    createdBy: typeof h?.created_by === 'string' ? h.created_by : null,
    comment: typeof h?.comment === 'string' ? h.comment : null,
    emptyLayer: h?.empty_layer === true,
  }));
}

function withHistory(
  layers: { digest: string; mediaType: string; sizeBytes: number }[],
  history: HistoryEntry[],
): Layer[] {
  const steps = history.filter((h) => !h.emptyLayer);
  // A history that does not account for every layer cannot be paired reliably.
  const paired = steps.length === layers.length;

  return layers.map((layer, i) => ({
    ...layer,
    createdBy: paired ? (steps[i]?.createdBy ?? null) : null,
    comment: paired ? (steps[i]?.comment ?? null) : null,
  }));
}

function descriptor(
  value: unknown,
): { digest: string; mediaType: string; sizeBytes: number } | undefined {
  const d = value as Json | null | undefined;
  if (typeof d?.digest !== 'string' || typeof d.size !== 'number') return undefined;

  return {
    digest: d.digest,
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    sizeBytes: d.size,
  };
}

function platformOf(value: Json | null | undefined): Platform | null {
  if (typeof value?.os !== 'string' || typeof value.architecture !== 'string') return null;

  return {
    os: value.os,
    architecture: value.architecture,
    ...(typeof value.variant === 'string' ? { variant: value.variant } : {}),
  };
}

function isPlatform(value: Platform | null): value is Platform {
  return value !== null;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};

  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

function parseJson(body: Buffer): Json | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : null;
  } catch {
    return null;
  }
}
