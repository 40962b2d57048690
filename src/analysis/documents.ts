// What the registry keeps of a scan, per image digest: the analysis (everything read from the
// layers and the config, which never changes for a digest) and the findings (the analysis
// matched against one version of the advisory database, which changes with every import).
// Both are stored as gzip-compressed JSON: an inventory of a few thousand packages is a few
// hundred kilobytes of JSON and a tenth of that compressed.

import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { SeverityLevel } from '../scan/advisories/index.js';
import type { Finding, MatchProblem } from '../scan/match/index.js';
import { countBySeverity } from '../scan/report/index.js';
import type { ScanReport } from '../scan/scan.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A scan report without its findings: what the layers and config say. */
export type StoredAnalysis = Omit<ScanReport, 'findings' | 'matchProblems' | 'matched'>;

export interface StoredFindings {
  /** False when no advisory had been imported: nothing could be found. */
  matched: boolean;
  findings: Finding[];
  problems: MatchProblem[];
}

/**
 * Counts per severity, how many have a fix, the total, and how many problems (layers,
 * files or packages that could not be read or matched) the scan met.
 */
export type ScanSummary = Record<SeverityLevel, number> & {
  fixable: number;
  total: number;
  problems: number;
};

/** Compression runs in zlib's thread pool: a layer's record can be tens of megabytes of JSON. */
export async function encodeDocument(document: unknown): Promise<Buffer> {
  return gzipAsync(JSON.stringify(document));
}

export async function decodeDocument<T>(content: Buffer): Promise<T> {
  return JSON.parse((await gunzipAsync(content)).toString('utf8')) as T;
}

/** The analysis part of a report, without the file lists matching and SBOMs do not use. */
export function analysisOf(report: ScanReport): StoredAnalysis {
  const analysis = withoutFindings(report);
  const packages = analysis.inventory.packages.map(({ files: _files, ...item }) => item);

  return { ...analysis, inventory: { ...analysis.inventory, packages } };
}

function withoutFindings({
  findings: _findings,
  matchProblems: _problems,
  matched: _matched,
  ...analysis
}: ScanReport): StoredAnalysis {
  return analysis;
}

export function joinReport(analysis: StoredAnalysis, findings: StoredFindings): ScanReport {
  return {
    ...analysis,
    findings: findings.findings,
    matchProblems: findings.problems,
    matched: findings.matched,
  };
}

export function summarise(findings: readonly Finding[], problems = 0): ScanSummary {
  return {
    ...countBySeverity(findings),
    fixable: findings.filter((finding) => finding.status === 'fixed').length,
    total: findings.length,
    problems,
  };
}

export function emptySummary(): ScanSummary {
  return summarise([]);
}
