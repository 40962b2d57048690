import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { envName, settings, validateConfig } from '../../../src/config/index.js';
import { repoRoot } from '../../support/server.js';

const doc = readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');

function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `([a-zA-Z.]+)` +\| `(BERTH_[A-Z_]+)` +\|/gm)) {
    rows.set(match[1] as string, match[2] as string);
  }
  return rows;
}

describe('docs/configuration.md', () => {
  it('documents every setting with its environment variable', () => {
    const rows = documentedRows();

    for (const setting of settings)
      expect(rows.get(setting.path), setting.path).toBe(envName(setting.path));
  });

  it('documents no setting the schema does not know', () => {
    const known = new Set(settings.map((s) => s.path));

    for (const documented of documentedRows().keys())
      expect(known.has(documented), documented).toBe(true);
  });

  it('shows an example that the schema accepts', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();

    const config = validateConfig(parseYaml(example!));
    expect(config.uploads.expiry).toBe(12 * 3_600_000);
  });
});
