import type { ConfigFinding } from '../image-config/index.js';
import { formatPlatform } from '../image/index.js';
import { LICENSE_CATEGORIES, type LicenseSummary } from '../licenses/index.js';
import type { Finding } from '../match/index.js';
import { bySeverity } from '../match/index.js';
import type { ScanReport } from '../scan.js';
import type { SecretFinding } from '../secrets/index.js';
import { printable } from './printable.js';
import { bySeverityRank, countBySeverity } from './summary.js';

const HEADER = ['PACKAGE', 'INSTALLED', 'VULNERABILITY', 'SEVERITY', 'STATUS', 'FIXED IN'];
const SECRET_HEADER = ['SEVERITY', 'SECRET', 'WHERE', 'MATCH', 'LAYER'];
const CONFIG_HEADER = ['SEVERITY', 'CHECK', 'FINDING'];
const LICENSE_HEADER = ['PACKAGE', 'VERSION', 'LICENCE', 'CATEGORY'];

/** Licence categories whose packages are listed one by one: they usually need a decision. */
const LISTED_CATEGORIES = new Set(['network-copyleft', 'proprietary']);

/**
 * The report for people: a header line, then a section per scanner that ran: vulnerabilities,
 * secrets, config checks (each highest severity first), licence categories.
 */
export function reportTable(report: ScanReport): string {
  const { image, inventory, scanners } = report;
  const os = inventory.os ? `${inventory.os.prettyName ?? inventory.os.id}, ` : '';
  const lines = [
    `${image.reference} (${formatPlatform(image.platform)}, ${os}${inventory.packages.length} packages)`,
  ];

  if (scanners.includes('vuln')) lines.push(...vulnerabilities(report.findings));
  if (scanners.includes('secret')) lines.push(...secrets(report.secrets));
  if (scanners.includes('config')) lines.push(...configChecks(report));
  if (report.licenses) lines.push(...licenses(report.licenses));
  if (lines.length === 1) lines.push('');

  return printable(lines.join('\n'));
}

function vulnerabilities(findings: readonly Finding[]): string[] {
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

  return section(`${findings.length} vulnerabilities (${levels(findings)})`, HEADER, rows);
}

/** Never more of a secret than its mask: the report is often pasted into tickets and logs. */
function secrets(found: readonly SecretFinding[]): string[] {
  const rows = [...found]
    .sort(bySeverityRank)
    .map((secret) =>
      secret.source === 'layer'
        ? [
            secret.severity,
            secret.ruleId,
            `${secret.path}:${secret.line}`,
            secret.match,
            layerNote(secret.layerDigest, secret.removedLater),
          ]
        : [secret.severity, secret.ruleId, `config ${secret.field}`, secret.match, ''],
    );

  return section(`${found.length} secrets (${levels(found)})`, SECRET_HEADER, rows);
}

function layerNote(digest: string, removedLater: 'deleted' | 'replaced' | undefined): string {
  const short = digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1');

  return removedLater ? `${short} (${removedLater} in a later layer)` : short;
}

function configChecks(report: ScanReport): string[] {
  const found: readonly ConfigFinding[] = report.configFindings;
  const rows = [...found]
    .sort(bySeverityRank)
    .map((finding) => [finding.severity, finding.id, finding.message]);
  const title =
    report.configProblem === undefined
      ? `${found.length} configuration findings (${levels(found)})`
      : `configuration not checked: ${report.configProblem}`;

  return section(title, CONFIG_HEADER, rows);
}

function licenses(summary: LicenseSummary): string[] {
  const counts = LICENSE_CATEGORIES.map((category) => `${category}: ${summary.counts[category]}`);
  const rows = summary.packages
    .filter((item) => LISTED_CATEGORIES.has(item.category))
    .map((item) => [item.name, item.version, item.licenses.join(', '), item.category]);

  return section(`licences (${counts.join(', ')})`, LICENSE_HEADER, rows);
}

function levels(items: readonly { severity: Finding['severity'] }[]): string {
  const counts = countBySeverity(items);

  return Object.entries(counts)
    .map(([level, count]) => `${level}: ${count}`)
    .join(', ');
}

/** A summary line, a blank line, and the table with a blank line after it when it has rows. */
function section(title: string, header: string[], rows: string[][]): string[] {
  return rows.length > 0 ? [title, '', table(header, rows), ''] : [title, ''];
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));

  return all
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
