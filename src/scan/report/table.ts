import type { Finding } from '../match/index.js';
import { bySeverity } from '../match/index.js';
import type { ScanReport } from '../scan.js';
import { formatPlatform } from '../image/index.js';
import { countBySeverity } from './summary.js';

const HEADER = ['PACKAGE', 'INSTALLED', 'VULNERABILITY', 'SEVERITY', 'STATUS', 'FIXED IN'];

/** The report for people: a header line, one row per finding, highest severity first. */
export function reportTable(report: ScanReport): string {
  const { image, inventory } = report;
  const os = inventory.os ? `${inventory.os.prettyName ?? inventory.os.id}, ` : '';
  const lines = [
    `${image.reference} (${formatPlatform(image.platform)}, ${os}${inventory.packages.length} packages)`,
    summaryLine(report.findings),
    '',
  ];

  if (report.findings.length > 0) lines.push(table(report.findings), '');

  return lines.join('\n');
}

function summaryLine(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  const parts = Object.entries(counts).map(([level, count]) => `${level}: ${count}`);

  return `${findings.length} vulnerabilities (${parts.join(', ')})`;
}

function table(findings: readonly Finding[]): string {
  const rows = [...findings]
    .sort(bySeverity)
    .map((f) => [
      f.package.name,
      f.installedVersion,
      f.id,
      f.severity,
      f.status,
      f.fixedVersion ?? '',
    ]);
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));

  return all
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
