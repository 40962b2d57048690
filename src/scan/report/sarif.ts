// SARIF 2.1.0 (OASIS, docs.oasis-open.org/sarif/sarif/v2.1.0): one rule per vulnerability id,
// secret rule and config check; one result per affected package (located at the file the
// package was read from), per secret (at its file and line, or its config field) and per
// failed config check. Code scanning services rank results by the rule's `security-severity`
// property (a CVSS-like number), so each rule carries one. Secrets appear masked only.

import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { SeverityLevel } from '../advisories/index.js';
import { CONFIG_CHECKS, type ConfigFinding } from '../image-config/index.js';
import type { Finding } from '../match/index.js';
import type { ScanReport } from '../scan.js';
import { SECRET_RULES, type SecretFinding } from '../secrets/index.js';

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
    if (!rules.has(finding.id)) rules.set(finding.id, vulnerabilityRule(finding));
  }
  for (const secret of report.secrets) {
    if (!rules.has(secret.ruleId)) rules.set(secret.ruleId, secretRule(secret.ruleId));
  }
  for (const finding of report.configFindings) {
    if (!rules.has(finding.id)) rules.set(finding.id, checkRule(finding.id));
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
        results: [
          ...report.findings.map((f) => vulnerabilityResult(f, ruleIndex.get(f.id)!, report)),
          ...report.secrets.map((s) => secretResult(s, ruleIndex.get(s.ruleId)!, report)),
          ...report.configFindings.map((c) => checkResult(c, ruleIndex.get(c.id)!, report)),
        ],
      },
    ],
  };

  return `${JSON.stringify(log, null, 2)}\n`;
}

function vulnerabilityRule(finding: Finding): ReportingDescriptor {
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

function secretRule(id: string): ReportingDescriptor {
  const rule = SECRET_RULES.find((candidate) => candidate.id === id)!;

  return {
    id,
    shortDescription: { text: rule.title },
    fullDescription: { text: `${rule.title} (${rule.category}) stored in the image` },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['secret', 'security', rule.severity],
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  };
}

function checkRule(id: string): ReportingDescriptor {
  const check = CONFIG_CHECKS.find((candidate) => candidate.id === id)!;

  return {
    id,
    shortDescription: { text: check.title },
    fullDescription: { text: check.description },
    defaultConfiguration: { level: LEVEL[check.severity] },
    properties: {
      tags: ['configuration', 'security', check.severity],
      'security-severity': SECURITY_SEVERITY[check.severity],
    },
  };
}

function vulnerabilityResult(finding: Finding, ruleIndex: number, report: ScanReport): Result {
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

function secretResult(secret: SecretFinding, ruleIndex: number, report: ScanReport): Result {
  const common = { ruleId: secret.ruleId, ruleIndex, level: LEVEL[secret.severity] };
  if (secret.source === 'config') {
    return {
      ...common,
      message: { text: `${secret.title} (${secret.match}) in the image config, ${secret.field}` },
      locations: [{ logicalLocations: [configLocation(secret.field)] }],
      partialFingerprints: {
        'berth/v1': `${report.image.name}|config|${secret.field}|${secret.ruleId}`,
      },
      properties: { match: secret.match, configDigest: report.image.configDigest },
    };
  }

  const removed = secret.removedLater ? `; ${secret.removedLater} in a later layer` : '';
  return {
    ...common,
    message: {
      text: `${secret.title} (${secret.match}) in ${secret.path}, line ${secret.line}, layer ${secret.layerDigest}${removed}`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: secret.path.replace(/^\//, '') },
          region: { startLine: secret.line },
        },
      },
    ],
    partialFingerprints: {
      'berth/v1': `${report.image.name}|${secret.layerDigest}|${secret.path}|${secret.line}|${secret.ruleId}`,
    },
    properties: {
      match: secret.match,
      layerDigest: secret.layerDigest,
      ...(secret.removedLater && { removedLater: secret.removedLater }),
    },
  };
}

function checkResult(finding: ConfigFinding, ruleIndex: number, report: ScanReport): Result {
  return {
    ruleId: finding.id,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: finding.message },
    locations: [{ logicalLocations: [configLocation(finding.field)] }],
    partialFingerprints: {
      'berth/v1': `${report.image.name}|config|${finding.field}|${finding.id}`,
    },
    properties: { configDigest: report.image.configDigest },
  };
}

/** A place in the image config ("Env[2]", "history[4].created_by"), which is no file. */
function configLocation(field: string) {
  return { fullyQualifiedName: `config.${field}`, kind: 'member' };
}
