// `berth scan` end to end, in-process: an OCI layout, a docker archive made from it with
// skopeo, and the same image pushed to an in-process Berth over HTTP; every output format
// checked against its schema; secrets, config checks and licences; exit codes; bad input.

import { Validation, Spec } from '@cyclonedx/cyclonedx-library';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import formats from 'ajv-formats';
import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanCommand } from '../../../../src/cli/scan.js';
import { openAdvisoryStore } from '../../../../src/scan/advisories/index.js';
import { startTestServer, type TestServer } from '../../../support/server.js';
import { run, testImages, type TestImage } from '../../../support/tools.js';
import { captureOutput } from '../../../support/capture.js';
import { tempDir } from '../advisories/support.js';
import { expectedFixtures, importExpectedFixtures } from '../match/support.js';
import { file } from '../inventory/layers.js';
import { ociLayout } from '../secrets/images.js';
import { TOKENS } from '../secrets/tokens.js';

const schemas = path.resolve(import.meta.dirname, '../../../fixtures/scan/schemas');
const images = testImages();
const bookworm = images['debian-bookworm'] as TestImage;
const multiarch = images.multiarch as TestImage;
const ociRef = `oci:${bookworm.dir}:${bookworm.tag}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `berth scan ARGS…` in-process and returns its exit code and output. */
async function berth(...args: string[]): Promise<Run> {
  const { stdout, stderr } = await captureOutput(() =>
    scanCommand().exitOverride().parseAsync(args, { from: 'user' }),
  );
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;

  return { code, stdout, stderr };
}

let db: string;

beforeAll(async () => {
  db = path.join(tempDir(), 'advisories.db');
  const store = await openAdvisoryStore(db);
  await importExpectedFixtures(store);
  await store.close();
});

afterEach(() => {
  process.exitCode = undefined;
});

function expectedIds(): string[] {
  const file = path.join(expectedFixtures, 'expected', 'debian-bookworm.json');
  const findings = JSON.parse(readFileSync(file, 'utf8')) as {
    id: string;
    package: { name: string };
  }[];

  return findings.map((f) => `${f.package.name} ${f.id}`).sort();
}

function idsOf(json: string): string[] {
  const report = JSON.parse(json) as { findings: { id: string; package: { name: string } }[] };

  return report.findings.map((f) => `${f.package.name} ${f.id}`).sort();
}

describe('berth scan of an OCI layout', () => {
  it('prints a table of the findings, highest severity first', async () => {
    const { code, stdout, stderr } = await berth(ociRef, '--db', db);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`${ociRef} (linux/amd64, Debian GNU/Linux 12 (bookworm), 88 packages)`);
    expect(lines[1]).toBe(
      '6 vulnerabilities (critical: 1, high: 0, medium: 0, low: 0, negligible: 5, unknown: 0)',
    );
    expect(lines[3]).toMatch(/^PACKAGE +INSTALLED +VULNERABILITY +SEVERITY +STATUS +FIXED IN$/);
    expect(lines[4]).toMatch(
      /^zlib1g +1:1\.2\.13\.dfsg-1 +CVE-2023-45853 +critical +will-not-fix$/,
    );
  });

  it('writes the native JSON report with the expected findings', async () => {
    const { code, stdout } = await berth(ociRef, '--db', db, '--format', 'json');
    const report = JSON.parse(stdout);

    expect(code).toBe(0);
    expect(idsOf(stdout)).toEqual(expectedIds());
    expect(report).toMatchObject({
      reportVersion: 1,
      image: {
        reference: ociRef,
        digest: bookworm.digest,
        platform: { os: 'linux', architecture: 'amd64' },
      },
      os: { id: 'debian', versionId: '12' },
      matched: true,
      summary: { packages: 88, findings: { critical: 1, negligible: 5 } },
      problems: [],
    });
    expect(report.packages).toHaveLength(88);
  });

  it('picks the platform from an index, and says which platforms there are', async () => {
    const arm = await berth(
      `oci:${multiarch.dir}`,
      '--db',
      db,
      '--platform',
      'linux/arm64',
      '-f',
      'json',
    );
    const missing = await berth(`oci:${multiarch.dir}`, '--db', db, '--platform', 'linux/s390x');

    expect(arm.code).toBe(0);
    expect(JSON.parse(arm.stdout).image).toMatchObject({
      indexDigest: multiarch.digest,
      digest: multiarch.manifests![1]!.digest,
      platform: { architecture: 'arm64' },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /has no image for linux\/s390x; it has linux\/amd64, linux\/arm64\/v8/,
    );
  });
});

describe('output formats', () => {
  it('writes SARIF 2.1.0 with one rule per vulnerability and a located result per finding', async () => {
    const { stdout } = await berth(ociRef, '--db', db, '--format', 'sarif');
    const log = JSON.parse(stdout);
    const [run] = log.runs;
    const isVulnerability = (id: string) => id.startsWith('CVE-');

    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.name).toBe('berth');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual([
      'BERTH-CFG-001',
      'BERTH-CFG-004',
      'CVE-2005-2541',
      'CVE-2010-4756',
      'CVE-2011-3374',
      'CVE-2023-45853',
    ]);
    const vulnerabilities = run.results.filter((r: { ruleId: string }) =>
      isVulnerability(r.ruleId),
    );
    expect(vulnerabilities).toHaveLength(6);
    expect(run.results).toHaveLength(8);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(['error', 'warning', 'note']).toContain(result.level);
    }
    for (const result of vulnerabilities) {
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('var/lib/dpkg/status');
    }
    const zlib = run.tool.driver.rules.find((r: { id: string }) => r.id === 'CVE-2023-45853');
    expect(zlib.properties['security-severity']).toBe('9.8');
  });

  it('writes CycloneDX 1.6 that the CycloneDX schema accepts, with vulnerabilities', async () => {
    const { stdout } = await berth(ociRef, '--db', db, '--format', 'cyclonedx');
    const bom = JSON.parse(stdout);

    const errors = await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(stdout);
    expect(errors).toBeNull();
    expect(validator('bom-1.6.SNAPSHOT.schema.json', 'draft-07')(bom)).toBe(true);

    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(bom.metadata.component).toMatchObject({
      type: 'container',
      purl: expect.stringMatching(/^pkg:oci\//),
    });
    expect(bom.components).toHaveLength(89);
    const zlib = bom.components.find((c: { name: string }) => c.name === 'zlib1g');
    expect(zlib.purl).toBe('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12');
    expect(bom.vulnerabilities).toHaveLength(6);
    const critical = bom.vulnerabilities.find((v: { id: string }) => v.id === 'CVE-2023-45853');
    expect(critical.affects).toEqual([
      { ref: zlib['bom-ref'], versions: [{ version: '1:1.2.13.dfsg-1', status: 'affected' }] },
    ]);
    expect(critical.analysis).toMatchObject({ response: ['will_not_fix'] });
    expect(critical.ratings).toContainEqual(
      expect.objectContaining({
        source: { name: 'cvss-v3' },
        severity: 'critical',
        score: 9.8,
        method: 'CVSSv31',
      }),
    );
  });

  it('writes SPDX 2.3 that the SPDX schema accepts, without an advisory database', async () => {
    const { code, stdout } = await berth(
      ociRef,
      '--db',
      '/nonexistent/advisories.db',
      '-f',
      'spdx',
    );
    const document = JSON.parse(stdout);

    expect(code).toBe(0);
    const validate = validator('spdx-2.3.schema.json', '2019-09');
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(document.packages).toHaveLength(90);
    const coreutils = document.packages.find((p: { name: string }) => p.name === 'coreutils');
    expect(coreutils.externalRefs[0]).toMatchObject({
      referenceCategory: 'PACKAGE-MANAGER',
      referenceType: 'purl',
    });
    expect(coreutils.licenseDeclared).toMatch(/LicenseRef-GPL-3-or-later/);
    const refs = new Set(
      document.hasExtractedLicensingInfos.map((l: { licenseId: string }) => l.licenseId),
    );
    for (const p of document.packages) {
      for (const ref of p.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.+-]+/g) ?? [])
        expect(refs).toContain(ref);
    }
    const ids = document.packages.map((p: { SPDXID: string }) => p.SPDXID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes the report to a file with --output', async () => {
    const file = path.join(tempDir(), 'report.json');
    const { stdout } = await berth(ociRef, '--db', db, '-f', 'json', '-o', file);

    expect(stdout).toBe('');
    expect(idsOf(readFileSync(file, 'utf8'))).toEqual(expectedIds());
  });
});

describe('exit codes', () => {
  it.each([
    [['--fail-on', 'critical'], 1],
    [['--fail-on', 'negligible'], 1],
    [['--fail-on', 'high'], 1],
    [['--fail-on', 'critical', '--ignore-unfixed'], 0],
    [[], 0],
  ])('%j exits %d', async (flags, expected) => {
    const { code } = await berth(ociRef, '--db', db, ...flags);

    expect(code).toBe(expected);
  });

  it('exits 0 under --fail-on when no finding reaches the threshold', async () => {
    const empty = path.join(tempDir(), 'empty.db');
    await (await openAdvisoryStore(empty)).close();

    const { code, stderr } = await berth(
      ociRef,
      '--db',
      empty,
      '--fail-on',
      'negligible',
      '--scanners',
      'vuln',
    );

    expect(code).toBe(0);
    expect(stderr).toMatch(/advisory database .* is empty/);
  });

  it.each([
    [['--scanners', 'config', '--fail-on', 'high'], 1],
    [['--scanners', 'config', '--fail-on', 'critical'], 0],
    [['--scanners', 'vuln', '--fail-on', 'high', '--ignore-unfixed'], 0],
  ])('counts config findings under --fail-on: %j exits %d', async (flags, expected) => {
    const { code } = await berth(ociRef, '--db', db, ...flags);

    expect(code).toBe(expected);
  });
});

describe('secrets, config checks and licences', () => {
  const token = TOKENS['github-pat'];
  const key = TOKENS['rsa-pkcs8'];
  let leaky: string;

  beforeAll(async () => {
    leaky = await ociLayout(path.join(tempDir(), 'leaky'), {
      layers: [
        [file('srv/app/.env', `GITHUB_TOKEN=${token}\n`), file('root/.ssh/id_ed', key)],
        [{ whiteout: 'root/.ssh/id_ed' }],
      ],
      config: {
        config: { User: 'app', Env: [`GITHUB_TOKEN=${token}`] },
        history: [{ created_by: 'ADD https://example.com/app.tar.gz /srv/ # buildkit' }],
      },
    });
  });

  it('prints the secrets masked in every format, and never the secrets themselves', async () => {
    for (const format of ['table', 'json', 'sarif', 'cyclonedx', 'spdx']) {
      const { code, stdout } = await berth(
        leaky,
        '--scanners',
        'secret,config,license',
        '-f',
        format,
      );

      expect(code).toBe(0);
      expect(stdout).not.toContain(token.slice(0, 12));
      expect(stdout).not.toContain(key.split('\n')[1]!.slice(0, 12));
    }
  });

  it('reports a secret in a deleted file with its layer, and the image-config findings', async () => {
    const { stdout, stderr } = await berth(leaky, '--scanners', 'secret,config', '-f', 'json');
    const report = JSON.parse(stdout);

    expect(stderr).toBe('');
    expect(report.scanners).toEqual(['secret', 'config']);
    expect(report.secrets.map((s: { path?: string; field?: string }) => s.path ?? s.field)).toEqual(
      ['/srv/app/.env', '/root/.ssh/id_ed', 'Env[0]'],
    );
    expect(report.secrets[1]).toMatchObject({ ruleId: 'private-key', removedLater: 'deleted' });
    expect(report.configFindings.map((f: { id: string }) => f.id)).toEqual([
      'BERTH-CFG-002',
      'BERTH-CFG-004',
      'BERTH-CFG-005',
    ]);
    expect(report.summary).not.toHaveProperty('licenses');
  });

  it('exits 1 under --fail-on for a secret, needing no advisory database without vuln', async () => {
    const secret = await berth(leaky, '--scanners', 'secret', '--fail-on', 'critical');
    const vulnerabilities = await berth(
      leaky,
      '--scanners',
      'vuln',
      '--db',
      db,
      '--fail-on',
      'low',
    );

    expect(secret.code).toBe(1);
    expect(secret.stdout).toMatch(/^critical +github-pat +\/srv\/app\/\.env:1 +ghp_\*\*\*\*/m);
    expect(vulnerabilities.code).toBe(0);
  });

  it('classifies the licences of the packages', async () => {
    const { stdout } = await berth(ociRef, '--scanners', 'license', '-f', 'json');
    const report = JSON.parse(stdout);

    expect(report.summary.licenses['strong-copyleft']).toBeGreaterThan(50);
    const zlib = report.packages.find((p: { name: string }) => p.name === 'zlib1g');
    expect(zlib.licenseCategory).toBe('permissive');
  });

  it('refuses an unknown scanner', async () => {
    await expect(berth(ociRef, '--scanners', 'vuln,malware')).rejects.toThrow(
      /choose from vuln, secret, config, license/,
    );
  });
});

describe('berth scan of a docker archive', () => {
  it('reads the archive skopeo writes and finds the same vulnerabilities', async () => {
    const archive = path.join(tempDir(), 'bookworm.tar');
    await run('skopeo', [
      'copy',
      '--quiet',
      ociRef,
      `docker-archive:${archive}:example/bookworm:12`,
    ]);

    const { code, stdout, stderr } = await berth(
      `docker-archive:${archive}`,
      '--db',
      db,
      '-f',
      'json',
    );
    const named = await berth(
      `docker-archive:${archive}:example/bookworm:12`,
      '--db',
      db,
      '-f',
      'json',
    );
    const wrongName = await berth(`docker-archive:${archive}:example/other:1`, '--db', db);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(idsOf(stdout)).toEqual(expectedIds());
    expect(JSON.parse(stdout).image).toMatchObject({
      name: 'docker.io/example/bookworm',
      tag: '12',
    });
    expect(named.code).toBe(0);
    expect(wrongName).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/has no image example\/other:1/),
    });
  });
});

describe('berth scan of a registry', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await run('skopeo', [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${multiarch.dir}:${multiarch.tag}`,
      `docker://${server.host}/scan/multiarch:v1`,
      '--all',
    ]);
  });

  afterAll(async () => server?.close());

  it('pulls an image over plain HTTP, picking the host platform from its index', async () => {
    const ref = `${server.host}/scan/multiarch:v1`;

    const plain = await berth(ref, '--db', db, '--plain-http', '-f', 'json');
    const prefixed = await berth(`docker://${ref}`, '--db', db, '--plain-http', '-f', 'json');

    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    const report = JSON.parse(plain.stdout);
    expect(report.image).toMatchObject({
      name: `${server.host}/scan/multiarch`,
      tag: 'v1',
      indexDigest: multiarch.digest,
      digest: multiarch.manifests![0]!.digest,
    });
    expect(idsOf(plain.stdout)).toEqual(expectedIds());
    expect(idsOf(prefixed.stdout)).toEqual(expectedIds());
  });

  it('pulls by digest', async () => {
    const ref = `${server.host}/scan/multiarch@${multiarch.manifests![0]!.digest}`;

    const { code, stdout } = await berth(ref, '--db', db, '--plain-http', '-f', 'json');

    expect(code).toBe(0);
    expect(idsOf(stdout)).toEqual(expectedIds());
  });

  it('says when the tag does not exist, or the registry speaks plain HTTP', async () => {
    const missing = await berth(`${server.host}/scan/multiarch:nope`, '--db', db, '--plain-http');
    const tls = await berth(`${server.host}/scan/multiarch:v1`, '--db', db);

    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/manifest nope not found/),
    });
    expect(tls.code).toBe(2);
    expect(tls.stderr).toMatch(
      /cannot reach .* over HTTPS \(wrong version number\); for a registry that speaks plain HTTP, use --plain-http\n$/,
    );
  });
});

describe('bad input', () => {
  it.each([
    ['oci-archive:/tmp/image.tar', /the oci-archive: transport is not supported/],
    ['Not A Reference!', /is not an image reference/],
    ['docker://', /is not an image reference/],
    ['oci:/nonexistent/layout', /is not an OCI image layout/],
    ['docker-archive:/nonexistent/image.tar', /cannot open \/nonexistent\/image.tar/],
  ])('%s: a clear message, no stack trace, exit 2', async (ref, message) => {
    const { code, stdout, stderr } = await berth(ref, '--db', db);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a missing advisory database unless the format needs none', async () => {
    const { code, stderr } = await berth(ociRef, '--db', '/nonexistent/advisories.db');

    expect(code).toBe(2);
    expect(stderr).toMatch(/no advisory database at \/nonexistent\/advisories\.db/);
  });

  it('reports a layer that does not match its digest and exits 2', async () => {
    const copy = path.join(tempDir(), 'layout');
    cpSync(bookworm.dir, copy, { recursive: true });
    const layer = largestBlob(copy);
    const bytes = readFileSync(layer);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(layer, bytes);

    const { code, stderr } = await berth(`oci:${copy}:${bookworm.tag}`, '--db', db, '-f', 'json');

    expect(code).toBe(2);
    expect(stderr).toMatch(/berth: layer sha256:[0-9a-f]{64} could not be read: /);
    expect(stderr).toMatch(/the scan is incomplete/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('asks for --username with --password-stdin', async () => {
    const { code, stderr } = await berth(ociRef, '--db', db, '--password-stdin');

    expect(code).toBe(2);
    expect(stderr).toMatch(/--password-stdin needs --username/);
  });
});

function largestBlob(layout: string): string {
  const dir = path.join(layout, 'blobs', 'sha256');
  const files = readdirSync(dir).map((name) => path.join(dir, name));

  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
}

function validator(file: string, draft: 'draft-07' | '2019-09') {
  const ajv =
    draft === 'draft-07'
      ? new Ajv({ strict: false, allErrors: true })
      : new Ajv2019({ strict: false, allErrors: true });
  formats.default(ajv);
  if (draft === 'draft-07') {
    // The BOM schema refers to these by names relative to its own $id.
    for (const extra of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
      const schema = JSON.parse(readFileSync(path.join(schemas, extra), 'utf8'));
      delete schema.$id;
      ajv.addSchema(schema, `http://cyclonedx.org/schema/${extra}`);
    }
  }

  return ajv.compile(JSON.parse(readFileSync(path.join(schemas, file), 'utf8')));
}
