import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, resolvedPaths, setPath } from '../config/index.js';
import {
  ADVISORY_FORMATS,
  AdvisoryImportError,
  importAdvisories,
  openAdvisoryStore,
  type AdvisoryFormat,
  type ImportedSource,
  type SourceSummary,
} from '../scan/advisories/index.js';

interface DataFlags {
  config?: string;
  data?: string;
}

interface ImportFlags extends DataFlags {
  source?: AdvisoryFormat;
  name?: string;
}

/** `berth advisories import|status`: the offline advisory database scans match against. */
export function advisoriesCommand(): Command {
  const advisories = new Command('advisories').description(
    'import advisory files and show what the advisory database holds',
  );

  withDataOptions(advisories.command('import'))
    .argument('<path>', 'a JSON file, a folder of them, or a zip (OSV all.zip exports included)')
    .description('import OSV, Debian security tracker or Alpine secdb advisories from files')
    .addOption(
      new Option('--source <format>', 'input format (default: detected from the content)').choices(
        ADVISORY_FORMATS,
      ),
    )
    .option('--name <name>', 'store under this name, replacing its last import (default: the path)')
    .action(importCommand);

  withDataOptions(advisories.command('status'))
    .description('list imported sources with their counts, data age and import time')
    .option('--json', 'print JSON instead of a table')
    .action(statusCommand);

  return advisories;
}

function withDataOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'YAML configuration file (for dataDir)')
    .option('-d, --data <dir>', 'data directory holding advisories.db (default ./data)');
}

async function importCommand(inputPath: string, flags: ImportFlags): Promise<void> {
  const file = await databaseFile(flags);
  if (!file) return;
  const store = await openAdvisoryStore(file);
  const started = Date.now();

  try {
    const imported = await importAdvisories(store, inputPath, {
      format: flags.source,
      name: flags.name,
    });
    process.stdout.write(`${importReport(imported, Date.now() - started)}\n`);
  } catch (err) {
    if (!(err instanceof AdvisoryImportError)) throw err;
    fail(`cannot import ${inputPath}: ${err.message}; nothing was imported`, 1);
  } finally {
    await store.close();
  }
}

async function statusCommand(flags: DataFlags & { json?: boolean }): Promise<void> {
  const file = await databaseFile(flags);
  if (!file) return;
  const sources = existsSync(file) ? await readSources(file) : [];

  if (flags.json) {
    process.stdout.write(`${JSON.stringify(sources.map(sourceJson), null, 2)}\n`);
    return;
  }
  process.stdout.write(
    sources.length === 0
      ? 'no advisories imported yet; import some with: berth advisories import PATH\n'
      : statusTable(sources, Date.now()),
  );
}

async function readSources(file: string): Promise<SourceSummary[]> {
  const store = await openAdvisoryStore(file);
  try {
    return await store.sources();
  } finally {
    await store.close();
  }
}

/** The advisory database of the configured data directory, or undefined after reporting why not. */
async function databaseFile(flags: DataFlags): Promise<string | undefined> {
  const overrides: Record<string, unknown> = {};
  if (flags.data) setPath(overrides, 'dataDir', flags.data);

  try {
    const config = await loadConfig({ file: flags.config, overrides });
    return resolvedPaths(config).advisoryDatabasePath;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fail(err.message, 2);
    return undefined;
  }
}

function importReport(imported: ImportedSource, elapsedMs: number): string {
  const withdrawn = imported.withdrawn ? `, ${imported.withdrawn} withdrawn records skipped` : '';
  const replaced = imported.replaced
    ? `; replaced ${imported.replaced.advisories} advisories from its previous import`
    : '';

  return (
    `imported ${imported.advisories} advisories (${imported.packages} package records${withdrawn}) ` +
    `as ${imported.format} source "${imported.name}" in ${(elapsedMs / 1000).toFixed(1)}s${replaced}`
  );
}

function statusTable(sources: SourceSummary[], now: number): string {
  const header = [
    'FORMAT',
    'ADVISORIES',
    'PACKAGES',
    'AFFECTED',
    'FIXED',
    'WILL-NOT-FIX',
    'DEFERRED',
    'DATA AGE',
    'IMPORTED',
    'SOURCE',
  ];
  const rows = sources.map((s) => [
    s.format,
    String(s.advisories),
    String(s.packages),
    String(s.statuses.affected),
    String(s.statuses.fixed),
    String(s.statuses['will-not-fix']),
    String(s.statuses.deferred),
    s.dataAt === undefined ? '-' : age(now - s.dataAt),
    `${age(now - s.importedAt)} ago`,
    s.name,
  ]);

  return table([header, ...rows]);
}

/** Columns padded to their widest cell; counts right-aligned, the last column left as is. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 1 && i <= 6;

  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1
            ? cell
            : numeric(i)
              ? cell.padStart(widths[i]!)
              : cell.padEnd(widths[i]!),
        )
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`;

  return `${Math.floor(minutes / (24 * 60))}d`;
}

function sourceJson(s: SourceSummary): Record<string, unknown> {
  return {
    ...s,
    importedAt: new Date(s.importedAt).toISOString(),
    dataAt: s.dataAt === undefined ? null : new Date(s.dataAt).toISOString(),
  };
}

function fail(message: string, exitCode: number): void {
  process.stderr.write(`berth: ${message}\n`);
  process.exitCode = exitCode;
}
