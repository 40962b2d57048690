import type { ScanReport } from '../scan.js';
import { imagePurl } from '../sbom/index.js';
import { countBySeverity } from './summary.js';

/**
 * Bumped when a field changes meaning or goes away; new fields do not bump it. Secrets, config
 * findings, licence categories and `scanners` were added to version 1 that way: every field a
 * version-1 reader knows keeps its meaning.
 */
export const REPORT_VERSION = 1;

/** The native report: everything a scan knows, as one JSON document. Secrets stay masked. */
export function reportJson(report: ScanReport, toolVersion: string): string {
  const { image, inventory, licenses } = report;
  const categories = new Map(
    licenses?.packages.map((item) => [`${item.purl}\u0000${item.location}`, item.category]),
  );
  const document = {
    reportVersion: REPORT_VERSION,
    tool: { name: 'berth', version: toolVersion },
    image: {
      reference: image.reference,
      name: image.name,
      ...(image.tag && { tag: image.tag }),
      ...(image.digest && { digest: image.digest }),
      ...(image.indexDigest && { indexDigest: image.indexDigest }),
      configDigest: image.configDigest,
      platform: image.platform,
      purl: imagePurl(image),
      layers: image.layers.map((layer, i) => ({ ...layer, diffId: image.diffIds[i] })),
    },
    ...(inventory.os && { os: inventory.os }),
    scanners: report.scanners,
    matched: report.matched,
    summary: {
      packages: inventory.packages.length,
      findings: countBySeverity(report.findings),
      secrets: countBySeverity(report.secrets),
      configFindings: countBySeverity(report.configFindings),
      ...(licenses && { licenses: licenses.counts }),
    },
    findings: report.findings,
    secrets: report.secrets,
    configFindings: report.configFindings,
    packages: inventory.packages.map(({ files: _files, ...item }) => {
      const category = categories.get(`${item.purl}\u0000${item.location}`);

      return category ? { ...item, licenseCategory: category } : item;
    }),
    problems: [
      ...inventory.problems,
      ...report.matchProblems,
      ...(report.configProblem
        ? [{ kind: 'config-unreadable', detail: report.configProblem }]
        : []),
    ],
  };

  return `${JSON.stringify(document, null, 2)}\n`;
}
