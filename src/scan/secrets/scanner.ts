// The secret scanner as the layer reader runs it: every regular file that is not skipped by
// path or size, read as it streams; files that turn out to be binary are dropped after their
// first bytes.

import { createHash } from 'node:crypto';
import type { ContentScanner, ContentSink } from '../inventory/index.js';
import { TextScanner } from './engine.js';
import { DEFAULT_SKIP_PATHS, skipFilter } from './paths.js';
import { SECRET_RULES } from './rules.js';

export interface SecretScanOptions {
  /** Files larger than this are not read. */
  maxFileBytes: number;
  /** Globs of paths not read (see DEFAULT_SKIP_PATHS); replaces the defaults when given. */
  skipPaths: readonly string[];
}

export const defaultSecretOptions: SecretScanOptions = {
  maxFileBytes: 10 * 2 ** 20,
  skipPaths: DEFAULT_SKIP_PATHS,
};

/** The content scanner id, which labels its findings in layer records. */
export const SECRET_SCANNER = 'secret';

/** Bumped when the engine or a rule's own code changes what is found; patterns are hashed. */
const ENGINE_VERSION = 1;
/** Findings one file can contribute: a minified bundle full of tokens says enough with these. */
const MAX_HITS_PER_FILE = 20;
/** Bytes at the start of a file that are looked at for a NUL, the mark of a binary file. */
const BINARY_PROBE = 8000;

export function secretScanner(options: Partial<SecretScanOptions> = {}): ContentScanner {
  const settings = { ...defaultSecretOptions, ...options };
  const skipped = skipFilter(settings.skipPaths);

  return {
    id: SECRET_SCANNER,
    version: versionOf(settings),
    wants: (file) => file.size > 0 && file.size <= settings.maxFileBytes && !skipped(file.path),
    open: () => secretSink(),
  };
}

function secretSink(): ContentSink {
  const text = new TextScanner(SECRET_RULES, MAX_HITS_PER_FILE);
  let started = false;
  let binary = false;

  return {
    write(chunk) {
      if (!started) binary = chunk.subarray(0, BINARY_PROBE).includes(0);
      started = true;
      if (!binary) text.write(chunk);

      return !binary;
    },
    end: () => (binary ? [] : text.end()),
  };
}

/** Names the rules and settings, so that cached layer records follow their changes. */
function versionOf(settings: SecretScanOptions): string {
  const rules = SECRET_RULES.map((rule) => [rule.id, rule.pattern.source, rule.keywords]);
  const setup = JSON.stringify({ engine: ENGINE_VERSION, rules, settings });

  return createHash('sha256').update(setup).digest('hex').slice(0, 16);
}
