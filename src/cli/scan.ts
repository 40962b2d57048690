import { SingleBar } from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, resolvedPaths, setPath } from '../config/index.js';
import {
  openAdvisoryStore,
  SEVERITY_LEVELS,
  type AdvisoryStore,
  type SeverityLevel,
} from '../scan/advisories/index.js';
import {
  hostPlatform,
  ImageSourceError,
  openImage,
  parseImageReference,
  parsePlatform,
  type Credentials,
} from '../scan/image/index.js';
import type { InventoryProblem } from '../scan/inventory/index.js';
import {
  atOrAbove,
  printable,
  reportJson,
  reportSarif,
  reportTable,
} from '../scan/report/index.js';
import { SCANNERS, scanImage, type Scanner, type ScanReport } from '../scan/scan.js';
import { cyclonedxJson, spdxJson } from '../scan/sbom/index.js';

const FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'spdx'] as const;
type Format = (typeof FORMATS)[number];

interface ScanFlags {
  format: Format;
  output?: string;
  db?: string;
  config?: string;
  data?: string;
  platform?: string;
  plainHttp?: boolean;
  username?: string;
  passwordStdin?: boolean;
  failOn?: SeverityLevel;
  ignoreUnfixed?: boolean;
  scanners: Scanner[];
  secretMaxFileSize: number;
  progress: boolean;
}

/**
 * Exit codes: 0 clean (or below --fail-on), 1 a vulnerability, secret or config finding at or
 * above --fail-on, 2 an error.
 */
const EXIT_FINDINGS = 1;
const EXIT_ERROR = 2;

/** Layer problems that leave the inventory incomplete: the scan cannot vouch for the image. */
const FATAL_PROBLEMS = new Set<InventoryProblem['kind']>([
  'layer-missing',
  'layer-format',
  'layer-unreadable',
  'layer-limit',
]);

/** `berth scan REF`: scan an image from a registry, an OCI layout or a docker archive. */
export function scanCommand(): Command {
  return new Command('scan')
    .description(
      'list the packages, vulnerabilities, secrets, misconfigurations and licences of an image, without a server',
    )
    .argument(
      '<reference>',
      'HOST/REPO:TAG or docker://HOST/REPO[:TAG|@DIGEST], oci:DIR[:TAG], docker-archive:FILE[:NAME:TAG]',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(FORMATS).default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--db <file>', 'advisory database (default: advisories.db in the data directory)')
    .option('-c, --config <file>', 'YAML configuration file (for dataDir)')
    .option('-d, --data <dir>', 'data directory holding advisories.db (default ./data)')
    .option(
      '--platform <os/arch[/variant]>',
      "platform to pick from an index (default: this host's)",
    )
    .option('--plain-http', 'talk to the registry over HTTP instead of HTTPS')
    .option(
      '--username <name>',
      'registry user name (default: from the Docker or podman auth file)',
    )
    .option('--password-stdin', 'read the registry password or token from standard input')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 when a vulnerability, secret or config finding is at or above this severity',
      ).choices(SEVERITY_LEVELS),
    )
    .option('--ignore-unfixed', 'leave out vulnerabilities with no fixed version')
    .addOption(
      new Option('--scanners <list>', `comma-separated scanners to run: ${SCANNERS.join(', ')}`)
        .argParser(parseScanners)
        .default([...SCANNERS], SCANNERS.join(',')),
    )
    .addOption(
      new Option(
        '--secret-max-file-size <MiB>',
        'files larger than this are not searched for secrets',
      )
        .argParser(parseMebibytes)
        .default(10),
    )
    .option('--no-progress', 'no progress bar, even on a terminal')
    .exitOverride(usageErrorsExit(EXIT_ERROR))
    .action(runScan);
}

/**
 * Commander ends a bad command line with exit code 1, which `berth scan` keeps for "findings at
 * or above --fail-on": a misspelt `--fail-on hihg` in CI must not read as vulnerabilities found.
 */
function usageErrorsExit(code: number): (err: CommanderError) => never {
  return (err) => {
    if (err.exitCode === 0) throw err;
    throw new CommanderError(code, err.code, err.message);
  };
}

async function runScan(reference: string, flags: ScanFlags): Promise<void> {
  try {
    const report = await scan(reference, flags);
    if (report) await finish(report, flags);
  } catch (error) {
    fail(error);
  }
}

async function scan(reference: string, flags: ScanFlags): Promise<ScanReport | undefined> {
  checkRegistryHost(reference);
  const credentials = await credentialsOf(flags);
  const platform = flags.platform ? parsePlatform(flags.platform) : hostPlatform();
  const needsDatabase = flags.format !== 'spdx' && flags.scanners.includes('vuln');
  const store = needsDatabase ? await openDatabase(flags) : undefined;
  const source = openImage(reference, { plainHttp: flags.plainHttp, credentials });
  const progress = progressBar(flags);

  try {
    return await scanImage(source, {
      platform,
      advisories: store,
      scanners: flags.scanners,
      secrets: { maxFileBytes: flags.secretMaxFileSize * 2 ** 20 },
      onProgress: progress?.update,
    });
  } finally {
    progress?.stop();
    await source.close();
    await store?.close();
  }
}

/** A registry host must fit in a URL: fetch() would otherwise fail later with a stack trace. */
function checkRegistryHost(text: string): void {
  const reference = parseImageReference(text);
  if (reference.transport === 'registry' && !URL.canParse(`https://${reference.registry}/`)) {
    throw new UserError(`"${reference.registry}" in "${text}" is not a valid registry host[:port]`);
  }
}

async function finish(report: ScanReport, flags: ScanFlags): Promise<void> {
  const findings = flags.ignoreUnfixed
    ? report.findings.filter((f) => f.fixedVersion !== undefined)
    : report.findings;
  const shown = { ...report, findings };
  await write(render(shown, flags.format), flags.output);

  const fatal = report.inventory.problems.filter((p) => FATAL_PROBLEMS.has(p.kind));
  for (const problem of report.inventory.problems.filter((p) => !fatal.includes(p))) {
    warn(`${problem.path ?? problem.layerDigest}: ${problem.detail}`);
  }
  for (const problem of report.matchProblems) warn(problem.detail);
  if (report.configProblem) warn(report.configProblem);

  if (fatal.length > 0) {
    for (const p of fatal) error(`layer ${p.layerDigest} could not be read: ${p.detail}`);
    error('the scan is incomplete');
    process.exitCode = EXIT_ERROR;
    return;
  }
  const threshold = flags.failOn;
  const rated = [...findings, ...report.secrets, ...report.configFindings];
  if (threshold && rated.some((item) => atOrAbove(item, threshold))) {
    process.exitCode = EXIT_FINDINGS;
  }
}

function render(report: ScanReport, format: Format): string {
  const version = packageVersion();
  const sbom = () => ({
    image: report.image,
    os: report.inventory.os,
    packages: report.inventory.packages,
    findings: report.findings,
    toolVersion: version,
  });

  switch (format) {
    case 'table':
      return reportTable(report);
    case 'json':
      return reportJson(report, version);
    case 'sarif':
      return reportSarif(report, version);
    case 'cyclonedx':
      return `${cyclonedxJson(sbom())}\n`;
    case 'spdx':
      return spdxJson(sbom());
  }
}

async function write(text: string, file: string | undefined): Promise<void> {
  if (!file) {
    process.stdout.write(text);
    return;
  }

  await writeFile(file, text).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`cannot write ${file}: ${err.code ?? err.message}`);
  });
}

/** The advisory database: --db, or advisories.db in the configured data directory. */
async function openDatabase(flags: ScanFlags): Promise<AdvisoryStore> {
  const file = flags.db ?? (await defaultDatabase(flags));
  if (!existsSync(file)) {
    throw new UserError(
      `no advisory database at ${file}: import advisories with "berth advisories import PATH", or name one with --db`,
    );
  }
  const store = await openAdvisoryStore(file).catch((err: unknown) => {
    throw new UserError(`cannot read the advisory database ${file}: ${(err as Error).message}`);
  });
  if ((await store.sources()).length === 0) {
    warn(`the advisory database ${file} is empty: no vulnerabilities can be found`);
  }

  return store;
}

async function defaultDatabase(flags: ScanFlags): Promise<string> {
  const overrides: Record<string, unknown> = {};
  if (flags.data) setPath(overrides, 'dataDir', flags.data);
  const config = await loadConfig({ file: flags.config, overrides });

  return resolvedPaths(config).advisoryDatabasePath;
}

async function credentialsOf(flags: ScanFlags): Promise<Credentials | undefined> {
  if (flags.passwordStdin && !flags.username) {
    throw new UserError('--password-stdin needs --username');
  }
  if (!flags.username) return undefined;
  if (!flags.passwordStdin) throw new UserError('--username needs --password-stdin');

  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new UserError('--password-stdin read an empty password');

  return { username: flags.username, password };
}

/** A bar on standard error, only where a person watches it. */
function progressBar(
  flags: ScanFlags,
): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  if (!flags.progress || !process.stderr.isTTY) return undefined;

  const bar = new SingleBar({
    stream: process.stderr,
    format: 'reading layers [{bar}] {percentage}% {done}/{all} MiB',
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

  return {
    update: (done, total) => {
      if (!started) bar.start(Math.max(total, 1), 0, { done: '0.0', all: mib(total) });
      started = true;
      bar.update(Math.min(done, total), { done: mib(done), all: mib(total) });
    },
    stop: () => bar.stop(),
  };
}

/** "vuln,secret": each name once, in the usual order; at least one. */
function parseScanners(value: string): Scanner[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(SCANNERS as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(`choose from ${SCANNERS.join(', ')}`);
  }

  return SCANNERS.filter((scanner) => names.includes(scanner));
}

function parseMebibytes(value: string): number {
  const size = Number(value);
  if (!Number.isFinite(size) || size <= 0) throw new InvalidArgumentError('a positive number');

  return size;
}

/** A mistake in the command line or its environment: a message, no stack. */
class UserError extends Error {}

function fail(err: unknown): void {
  process.exitCode = EXIT_ERROR;
  if (err instanceof UserError || err instanceof ImageSourceError || err instanceof ConfigError) {
    error(err.message);
    return;
  }

  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  error(`scan failed: ${detail}`);
}

/** Messages carry text from the image (paths, names): never raw to the terminal. */
function warn(message: string): void {
  process.stderr.write(`berth: warning: ${printable(message)}\n`);
}

function error(message: string): void {
  process.stderr.write(`berth: ${printable(message)}\n`);
}

function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));

  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
