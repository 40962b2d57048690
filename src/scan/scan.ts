// One scan of one image: resolve the reference, read the inventory of its layers (and the
// secrets in their files), match it against the advisory database, check the image config and
// classify the packages' licences. The registry's scan jobs and `berth scan` both run this.

import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { ImageSource, Platform, ResolvedImage } from './image/index.js';
import {
  checkConfig,
  CONFIG_CHECKS,
  configTexts,
  parseImageConfig,
  type ConfigFinding,
  type ImageConfigDocument,
} from './image-config/index.js';
import {
  analyseImage,
  inventoryVersion,
  type ContentScanner,
  type ImageInventory,
  type InventoryLimits,
  type LayerCache,
} from './inventory/index.js';
import { summariseLicenses, type LicenseSummary } from './licenses/index.js';
import {
  matchInventory,
  type AdvisoryLookup,
  type Finding,
  type MatchProblem,
} from './match/index.js';
import {
  configSecrets,
  layerSecrets,
  secretScanner,
  type SecretFinding,
  type SecretScanOptions,
} from './secrets/index.js';

/**
 * What a scan can look for: vulnerabilities (needs an advisory database), secrets in layers and
 * config, image-config checks, licence categories.
 */
export const SCANNERS = ['vuln', 'secret', 'config', 'license'] as const;
export type Scanner = (typeof SCANNERS)[number];

export interface ScanOptions {
  platform: Platform;
  /** The advisory database; without it only the inventory is taken (for SBOMs). */
  advisories?: AdvisoryLookup;
  cache?: LayerCache;
  limits?: Partial<InventoryLimits>;
  /** The scanners to run; all of them by default. The inventory is read in any case. */
  scanners?: readonly Scanner[];
  /** How the secret scanner reads layer files: its size cap and the paths it skips. */
  secrets?: Partial<SecretScanOptions>;
  /** Called as layer bytes are read: bytes so far, and the total the manifest announces. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ScanReport {
  image: ResolvedImage;
  inventory: ImageInventory;
  /** Empty when no advisory database was given. */
  findings: Finding[];
  matchProblems: MatchProblem[];
  /** Whether the inventory was matched against advisories at all. */
  matched: boolean;
  /** The scanners that ran: a list below is empty for "none found" only if its scanner ran. */
  scanners: Scanner[];
  /** Secrets in layer files (deleted ones included) and in the config, masked. */
  secrets: SecretFinding[];
  /** Image-config checks that failed. */
  configFindings: ConfigFinding[];
  /** Why the config could not be read for the config and secret scanners, when it could not. */
  configProblem?: string;
  /** The packages' licence categories; absent when the licence scanner did not run. */
  licenses?: LicenseSummary;
}

/** Image configs are small; anything bigger is not one (as for manifests). */
const MAX_CONFIG_BYTES = 4 * 2 ** 20;

/** Bumped when a config check or the licence table changes what an analysis holds. */
const ANALYSIS_VERSION = 1;

export async function scanImage(source: ImageSource, options: ScanOptions): Promise<ScanReport> {
  const scanners = chosen(options.scanners);
  const image = await source.resolve(options.platform);
  const total = image.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  let done = 0;
  const counted = (blob: Readable): Readable => {
    if (!options.onProgress) return blob;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => options.onProgress!((done += chunk.length), total));
    blob.on('error', (error) => counter.destroy(error));
    return blob.pipe(counter);
  };

  const inventory = await analyseImage({
    layers: image.layers.map((layer) => layer.digest),
    openBlob: async (digest) => counted(await source.openBlob(digest)),
    cache: options.cache,
    limits: options.limits,
    contentScanners: contentScanners(scanners, options),
    signal: options.signal,
  });
  options.onProgress?.(total, total);

  const wantsConfig = scanners.includes('secret') || scanners.includes('config');
  const config = wantsConfig ? await readConfig(source, image.configDigest) : {};
  const report: ScanReport = {
    image,
    inventory,
    findings: [],
    matchProblems: [],
    matched: false,
    scanners,
    secrets: scanners.includes('secret') ? secretsOf(inventory, config.document) : [],
    configFindings:
      scanners.includes('config') && config.document ? checkConfig(config.document) : [],
    ...(config.problem !== undefined && { configProblem: config.problem }),
    ...(scanners.includes('license') && { licenses: summariseLicenses(inventory.packages) }),
  };

  if (!options.advisories || !scanners.includes('vuln')) return report;
  const { findings, problems } = await matchInventory(inventory, options.advisories);

  return { ...report, findings, matchProblems: problems, matched: true };
}

/**
 * Names what everything but the vulnerability matching depends on (the analysers, the secret
 * rules and settings, the config checks, the licence table, the scanners chosen): a stored
 * analysis made under another version is stale.
 */
export function analysisVersion(
  options: Pick<ScanOptions, 'limits' | 'scanners' | 'secrets'> = {},
): string {
  const scanners = chosen(options.scanners);
  const inventory = inventoryVersion(options.limits, contentScanners(scanners, options));
  const checks = CONFIG_CHECKS.map((check) => `${check.id}:${check.severity}`);
  const setup = JSON.stringify({ version: ANALYSIS_VERSION, scanners, checks });

  return `${inventory}/${createHash('sha256').update(setup).digest('hex').slice(0, 16)}`;
}

/** The scanners asked for, each once, in their usual order; all when none are named. */
function chosen(scanners: readonly Scanner[] | undefined): Scanner[] {
  return SCANNERS.filter((scanner) => scanners === undefined || scanners.includes(scanner));
}

function contentScanners(
  scanners: readonly Scanner[],
  options: Pick<ScanOptions, 'secrets'>,
): ContentScanner[] {
  return scanners.includes('secret') ? [secretScanner(options.secrets)] : [];
}

function secretsOf(
  inventory: ImageInventory,
  config: ImageConfigDocument | undefined,
): SecretFinding[] {
  const inConfig = config ? configSecrets(configTexts(config)) : [];

  return [...layerSecrets(inventory.contentFindings), ...inConfig];
}

/**
 * The image config, read again by digest: resolving an image keeps only the fields it needs.
 * A config that cannot be read costs the config checks and its secrets, not the scan.
 */
async function readConfig(
  source: ImageSource,
  digest: string,
): Promise<{ document?: ImageConfigDocument; problem?: string }> {
  try {
    const blob = await source.openBlob(digest);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of blob as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_CONFIG_BYTES) {
        blob.destroy();
        return { problem: `the image config is larger than ${MAX_CONFIG_BYTES} bytes` };
      }
      chunks.push(chunk);
    }

    return { document: parseImageConfig(Buffer.concat(chunks)) };
  } catch (error) {
    return { problem: `the image config could not be read: ${(error as Error).message}` };
  }
}
