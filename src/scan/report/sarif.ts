// SARIF 2.1.0 (OASIS, docs.oasis-open.org/sarif/sarif/v2.1.0): one rule per vulnerability id,
// one result per affected package, located at the file the package was read from. Code
// scanning services rank results by the rule's `security-severity` property (a CVSS-like
// number), so each rule carries one.

import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { SeverityLevel } from '../advisories/index.js';
import type { Finding } from '../match/index.js';
import type { ScanReport } from '../scan.js';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A number in the band of each level, where a finding has no CVSS score of its own. */
const SECURITY_SEVERITY: Record<SeverityLevel, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  negligible: '0.1',
  unknown: undefined,
};

const LEVEL: Record<SeverityLevel, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  negligible: 'note',
  unknown: 'warning',
};

export function reportSarif(report: ScanReport, toolVersion: string): string {
  const rules = new Map<string, ReportingDescriptor>();
  for (const finding of report.findings) {
    if (!rules.has(finding.id)) rules.set(finding.id, rule(finding));
  }
  const ruleIndex = new Map([...rules.keys()].map((id, i) => [id, i]));

  const log: Log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'berth',
            version: toolVersion,
            rules: [...rules.values()],
          },
        },
        results: report.findings.map((f) => result(f, ruleIndex.get(f.id)!, report)),
      },
    ],
  };

  return `${JSON.stringify(log, null, 2)}\n`;
}

function rule(finding: Finding): ReportingDescriptor {
  const score = finding.severities.find((r) => r.score !== undefined)?.score;
  const securitySeverity = score?.toFixed(1) ?? SECURITY_SEVERITY[finding.severity];

  return {
    id: finding.id,
    shortDescription: { text: finding.summary ?? finding.id },
    ...(finding.aliases.length > 0 && {
      fullDescription: { text: `${finding.id} (also ${finding.aliases.join(', ')})` },
    }),
    defaultConfiguration: { level: LEVEL[finding.severity] },
    properties: {
      tags: ['vulnerability', 'security', finding.severity],
      ...(securitySeverity && { 'security-severity': securitySeverity }),
    },
  };
}

function result(finding: Finding, ruleIndex: number, report: ScanReport): Result {
  const fix = finding.fixedVersion ? `; fixed in ${finding.fixedVersion}` : '';

  return {
    ruleId: finding.id,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: {
      text: `${finding.package.name} ${finding.installedVersion} is affected by ${finding.id} (${finding.severity}, ${finding.status}${fix})`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.package.location.replace(/^\//, '') },
        },
        logicalLocations: [{ name: finding.package.purl, kind: 'package' }],
      },
    ],
    partialFingerprints: {
      'berth/v1': `${report.image.name}|${finding.package.purl}|${finding.id}`,
    },
    properties: {
      purl: finding.package.purl,
      installedVersion: finding.installedVersion,
      ...(finding.fixedVersion && { fixedVersion: finding.fixedVersion }),
      status: finding.status,
      layerDigest: finding.layerDigest,
    },
  };
}
