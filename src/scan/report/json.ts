import type { ScanReport } from '../scan.js';
import { imagePurl } from '../sbom/index.js';
import { countBySeverity } from './summary.js';

/** Bumped when a field changes meaning or goes away; new fields do not bump it. */
export const REPORT_VERSION = 1;

/** The native report: everything a scan knows, as one JSON document. */
export function reportJson(report: ScanReport, toolVersion: string): string {
  const { image, inventory } = report;
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
    matched: report.matched,
    summary: { packages: inventory.packages.length, findings: countBySeverity(report.findings) },
    findings: report.findings,
    packages: inventory.packages.map(({ files: _files, ...item }) => item),
    problems: [...inventory.problems, ...report.matchProblems],
  };

  return `${JSON.stringify(document, null, 2)}\n`;
}
