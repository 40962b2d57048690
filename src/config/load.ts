import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, parseListen, type Config } from './schema.js';
import { envName, settings, type Setting } from './settings.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}:\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'ConfigError';
  }
}

/** Values given on the command line, already in the schema's shape. */
export type Overrides = Record<string, unknown>;

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Overrides;
}

/**
 * Reads the configuration once, in precedence order: defaults, then the YAML file, then
 * BERTH_* environment variables, then command-line flags; and validates the result against the
 * one schema. Nothing else in Berth reads the environment or the file.
 */
export async function loadConfig(options: LoadOptions = {}): Promise<Config> {
  const fromFile = options.file ? await readConfigFile(options.file) : {};
  const fromEnv = readEnvironment(options.env ?? process.env);

  const merged = deepMerge(deepMerge(fromFile, fromEnv), options.overrides ?? {});
  return validateConfig(merged, options.file);
}

export function validateConfig(input: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`invalid ${source}`, formatIssues(result.error));

  return result.data;
}

export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }

  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${file} must hold a mapping of settings`);
  }

  return withoutNulls(value as Record<string, unknown>);
}

/** A YAML section whose settings are all commented out reads as null; treat it as absent. */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null) continue;
    result[key] = isPlainObject(v) ? withoutNulls(v) : v;
  }

  return result;
}

function readEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];

  for (const setting of settings) {
    const name = envName(setting.path);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;

    const value = coerce(setting, raw);
    if (value === undefined) problems.push(`${name}="${raw}" is not a valid ${setting.type}`);
    else setPath(result, setting.path, value);
  }
  if (problems.length) throw new ConfigError('invalid environment', problems);

  return result;
}

function coerce(setting: Setting, raw: string): unknown {
  switch (setting.type) {
    case 'string':
      return raw;
    case 'boolean':
      return /^(1|true|yes|on)$/i.test(raw)
        ? true
        : /^(0|false|no|off)$/i.test(raw)
          ? false
          : undefined;
    case 'integer':
      return /^\d+$/.test(raw) ? Number(raw) : undefined;
  }
}

export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

function deepMerge(
  base: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = result[key];
    result[key] =
      isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }

  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys')
      return `${where}: unknown setting(s) ${issue.keys.join(', ')}`;
    return `${where}: ${issue.message}`;
  });
}

/** Paths derived from dataDir when not set explicitly. */
export interface ResolvedPaths {
  blobRoot: string;
  databasePath: string;
  advisoryDatabasePath: string;
}

export function resolvedPaths(config: Config): ResolvedPaths {
  const data = path.resolve(config.dataDir);
  return {
    blobRoot: path.resolve(config.storage.filesystem.root ?? path.join(data, 'blobs')),
    databasePath: path.resolve(config.database.sqlite.path ?? path.join(data, 'berth.db')),
    advisoryDatabasePath: path.resolve(
      config.scanning.advisoryDatabase ?? path.join(data, 'advisories.db'),
    ),
  };
}

export function listenAddress(config: Config): { host: string; port: number } {
  return parseListen(config.listen) as { host: string; port: number };
}
