import { beforeAll, describe, expect, it } from 'vitest';
import { reportJson, reportSarif, reportTable } from '../../../../src/scan/report/index.js';
import { scanImage, type ScanReport } from '../../../../src/scan/scan.js';
import { cyclonedxJson } from '../../../../src/scan/sbom/index.js';
import { file } from '../inventory/layers.js';
import { imageSource } from '../secrets/images.js';
import { TOKENS } from '../secrets/tokens.js';

const platform = { os: 'linux', architecture: 'amd64' };
const github = TOKENS['github-pat'];
const aws = TOKENS['aws-secret-access-key'];
const key = TOKENS['rsa-pkcs1'];
/** Every secret of the image, whole; none may appear in any output. */
const SECRETS = [github, aws, key.split('\n')[1]!];

let report: ScanReport;
let layers: string[];

beforeAll(async () => {
  const source = await imageSource({
    layers: [
      [
        file('srv/app/.env', `GITHUB_TOKEN=${github}\n`),
        file('root/.ssh/id_rsa', key),
        file(
          'srv/app/node_modules/agpl-lib/package.json',
          JSON.stringify({ name: 'agpl-lib', version: '2.0.0', license: 'AGPL-3.0-only' }),
        ),
        file(
          'srv/app/node_modules/mit-lib/package.json',
          JSON.stringify({ name: 'mit-lib', version: '1.0.0', license: 'MIT' }),
        ),
      ],
      [{ whiteout: 'root/.ssh/id_rsa' }],
    ],
    config: {
      config: { Env: [`AWS_SECRET_ACCESS_KEY=${aws}`], Cmd: ['node', 'server.js'] },
      history: [{ created_by: `ENV AWS_SECRET_ACCESS_KEY=${aws}`, empty_layer: true }],
    },
  });
  layers = (await source.resolve(platform)).layers.map((layer) => layer.digest);
  report = await scanImage(source, { platform });
});

function expectNoSecret(output: string): void {
  for (const secret of SECRETS) expect(output).not.toContain(secret.slice(0, 12));
}

describe('scan reports with secrets, config findings and licences', () => {
  it('JSON: every finding masked, counts per severity and per licence category', () => {
    const output = reportJson(report, '0.0.0-test');
    const document = JSON.parse(output);

    expectNoSecret(output);
    expect(document).toMatchObject({
      reportVersion: 1,
      scanners: ['vuln', 'secret', 'config', 'license'],
      matched: false,
      summary: {
        packages: 2,
        secrets: { critical: 3, high: 1 },
        configFindings: { high: 2, low: 1 },
        licenses: { permissive: 1, 'network-copyleft': 1 },
      },
    });
    expect(document.secrets).toContainEqual(
      expect.objectContaining({
        ruleId: 'private-key',
        path: '/root/.ssh/id_rsa',
        line: 1,
        layerDigest: layers[0],
        removedLater: 'deleted',
        match: expect.stringMatching(/^MII.\*\*\*\*$/),
      }),
    );
    expect(document.configFindings.map((f: { id: string }) => f.id)).toEqual([
      'BERTH-CFG-001',
      'BERTH-CFG-002',
      'BERTH-CFG-004',
    ]);
    expect(
      document.packages.map((p: { name: string; licenseCategory: string }) => [
        p.name,
        p.licenseCategory,
      ]),
    ).toEqual([
      ['agpl-lib', 'network-copyleft'],
      ['mit-lib', 'permissive'],
    ]);
  });

  it('table: sections after the vulnerabilities, a deleted file said to be deleted', () => {
    const output = reportTable(report);
    const lines = output.split('\n');

    expectNoSecret(output);
    expect(lines[1]).toBe(
      '0 vulnerabilities (critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0)',
    );
    expect(lines).toContain(
      '4 secrets (critical: 3, high: 1, medium: 0, low: 0, negligible: 0, unknown: 0)',
    );
    expect(output).toMatch(
      /^critical +github-pat +\/srv\/app\/\.env:1 +ghp_\*\*\*\* +sha256:[0-9a-f]{12}$/m,
    );
    expect(output).toMatch(
      /^high +private-key +\/root\/\.ssh\/id_rsa:1 +MII.\*\*\*\* +sha256:[0-9a-f]{12} \(deleted in a later layer\)$/m,
    );
    expect(output).toMatch(
      /^critical +aws-secret-access-key +config Env\[0\] +[A-Za-z0-9/+]{4}\*\*\*\*$/m,
    );
    expect(output).toMatch(/^high +BERTH-CFG-001 +the image runs as root: no User is set$/m);
    expect(lines).toContain(
      'licences (permissive: 1, weak-copyleft: 0, strong-copyleft: 0, network-copyleft: 1, public-domain: 0, proprietary: 0, unknown: 0)',
    );
    expect(output).toMatch(/^agpl-lib +2\.0\.0 +AGPL-3\.0-only +network-copyleft$/m);
    expect(output).not.toMatch(/^mit-lib/m);
  });

  it('SARIF: a rule per secret kind and config check, results at the file and line', () => {
    const output = reportSarif(report, '0.0.0-test');
    const [run] = JSON.parse(output).runs;

    expectNoSecret(output);
    const ruleIds = run.tool.driver.rules.map((rule: { id: string }) => rule.id);
    expect(ruleIds).toEqual([
      'github-pat',
      'private-key',
      'aws-secret-access-key',
      'BERTH-CFG-001',
      'BERTH-CFG-002',
      'BERTH-CFG-004',
    ]);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    }
    const deleted = run.results.find((r: { ruleId: string }) => r.ruleId === 'private-key');
    expect(deleted.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'root/.ssh/id_rsa' },
      region: { startLine: 1 },
    });
    expect(deleted.message.text).toMatch(/deleted in a later layer$/);
    const inEnv = run.results.filter(
      (r: { ruleId: string }) => r.ruleId === 'aws-secret-access-key',
    );
    expect(
      inEnv.map(
        (r: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) =>
          r.locations[0]!.logicalLocations[0]!.fullyQualifiedName,
      ),
    ).toEqual(['config.Env[0]', 'config.history[0].created_by']);
    const root = run.tool.driver.rules.find((rule: { id: string }) => rule.id === 'BERTH-CFG-001');
    expect(root.properties).toMatchObject({
      'security-severity': '8.0',
      tags: ['configuration', 'security', 'high'],
    });
  });

  it('CycloneDX: the declared licences as before, no secrets', () => {
    const output = cyclonedxJson({
      image: report.image,
      packages: report.inventory.packages,
      toolVersion: '0.0.0-test',
    });

    expectNoSecret(output);
    expect(output).not.toContain('ghp_');
    expect(JSON.parse(output).components.map((c: { licenses: unknown }) => c.licenses)).toEqual([
      [{ license: { id: 'AGPL-3.0-only' } }],
      [{ license: { id: 'MIT' } }],
    ]);
  });
});

describe('printable', () => {
  it('turns escape sequences and other control characters from an image into U+FFFD', async () => {
    const { printable } = await import('../../../../src/scan/report/index.js');

    expect(printable('Debian \u001b[5mBLINK\u001b[0m\tx\n\u0007')).toBe(
      'Debian \ufffd[5mBLINK\ufffd[0m\tx\n\ufffd',
    );
  });
});
