// Image scanning inside the registry: the analyser of src/scan run as jobs on the images the
// registry holds, on push, on request, on a schedule and after every advisory import, with
// results kept per image and SBOMs attached as referrers. docs/scanning.md describes it.

import type { Logger } from 'pino';
import type { Registry } from '../registry/index.js';
import { AdvisoryDatabase } from './advisory-database.js';
import { StoredLayerCache } from './layer-cache.js';
import { ScanRunner, type VulnerabilitiesFound } from './runner.js';
import { ScanService } from './service.js';
import { ScanWorker } from './worker.js';

export { ScanService } from './service.js';
export type { ScanOverview, ScanState, ScanSystemStatus } from './service.js';
export { summarise, type ScanSummary } from './documents.js';
export type { VulnerabilitiesFound } from './runner.js';
export { SBOM_FORMATS, type SbomFormat } from './sbom-referrers.js';

export interface ScanningSettings {
  onPush: boolean;
  workers: number;
  rescanInterval: number;
  advisoryCheckInterval: number;
  attachSboms: boolean;
  jobTimeout: number;
}

export interface ScanningOptions {
  registry: Registry;
  advisoryDatabase: string;
  settings: ScanningSettings;
  version: string;
  logger: Logger;
  onVulnerabilitiesFound(event: VulnerabilitiesFound): void;
}

/** Builds the scanning services; nothing runs until `start`. */
export function createScanning(options: ScanningOptions): ScanService {
  const { registry, settings, logger } = options;
  const advisories = new AdvisoryDatabase(options.advisoryDatabase);
  const runner = new ScanRunner({
    registry,
    advisories,
    cache: new StoredLayerCache(registry.meta.scans),
    version: options.version,
    attachSboms: settings.attachSboms,
    onVulnerabilitiesFound: options.onVulnerabilitiesFound,
    logger,
  });
  const worker = new ScanWorker({
    meta: registry.meta,
    runner,
    advisories,
    workers: settings.workers,
    rescanIntervalMs: settings.rescanInterval,
    advisoryCheckIntervalMs: settings.advisoryCheckInterval,
    jobTimeoutMs: settings.jobTimeout,
    logger,
  });

  return new ScanService({
    registry,
    advisories,
    worker,
    onPush: settings.onPush,
    version: options.version,
    logger,
  });
}
