// Secrets in an image: credentials, tokens and private keys in the files of every layer (those
// a later layer deletes included) and in the image config. Only a masked form of each secret
// is ever kept: its first four characters and "****". docs/scanning.md lists the rules.

import type { SeverityLevel } from '../advisories/index.js';
import type { ImageContentFinding } from '../inventory/index.js';
import { findSecrets, mask } from './engine.js';
import { ruleById, SECRET_RULES, type SecretRule } from './rules.js';
import { SECRET_SCANNER } from './scanner.js';

export { SECRET_RULES, type SecretRule } from './rules.js';
export { DEFAULT_SKIP_PATHS } from './paths.js';
export {
  defaultSecretOptions,
  SECRET_SCANNER,
  secretScanner,
  type SecretScanOptions,
} from './scanner.js';

interface SecretFindingBase {
  ruleId: string;
  category: string;
  title: string;
  severity: SeverityLevel;
  /** The secret's first four characters and "****"; the rest is never kept. */
  match: string;
}

/** A secret in a file of a layer. */
export interface LayerSecret extends SecretFindingBase {
  source: 'layer';
  /** Absolute path in the image. */
  path: string;
  line: number;
  /** The layer whose blob holds the file. */
  layerDigest: string;
  /** The image no longer shows the file: a later layer deleted or replaced it. */
  removedLater?: 'deleted' | 'replaced';
}

/** A secret in the image config: an environment variable, the command, a label, history. */
export interface ConfigSecret extends SecretFindingBase {
  source: 'config';
  /** Where in the config: "Env[2]", "Cmd", "Labels[com.example.token]", "history[4].created_by". */
  field: string;
}

export type SecretFinding = LayerSecret | ConfigSecret;

/** A text of the image config, named by where it is. */
export interface ConfigText {
  field: string;
  text: string;
}

/** The secrets among the content findings of an image's layers. */
export function layerSecrets(findings: readonly ImageContentFinding[]): LayerSecret[] {
  return findings.flatMap((finding) => {
    const rule = finding.scanner === SECRET_SCANNER ? ruleById(finding.ruleId) : undefined;
    if (!rule) return [];

    return [
      {
        ...describe(rule, finding.match),
        source: 'layer' as const,
        path: finding.path,
        line: finding.line,
        layerDigest: finding.layerDigest,
        ...(finding.removedLater && { removedLater: finding.removedLater }),
      },
    ];
  });
}

/** The secrets in the texts of an image config. */
export function configSecrets(texts: readonly ConfigText[]): ConfigSecret[] {
  return texts.flatMap(({ field, text }) =>
    findSecrets(text, SECRET_RULES).map((hit) => ({
      ...describe(hit.rule, mask(hit.secret)),
      source: 'config' as const,
      field,
    })),
  );
}

function describe(rule: SecretRule, match: string): SecretFindingBase {
  const { id: ruleId, category, title, severity } = rule;

  return { ruleId, category, title, severity, match };
}
