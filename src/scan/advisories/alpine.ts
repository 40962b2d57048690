import { z } from 'zod';
import { readJson, type AdvisoryInput } from './documents.js';
import { validated } from './errors.js';
import type { Advisory } from './model.js';
import { alpineRelease } from './names.js';

// Alpine's secdb (secdb.alpinelinux.org/<branch>/<repository>.json): per branch and
// repository, packages[].pkg = { name, secfixes: { fixed version: [ids] } }. Also read: one
// package per document with the same header fields beside name and secfixes, as the vuln-list
// repository stores it. secdb lists fixes only: every record is `fixed`, and the version "0"
// lists issues that never affected the package, which are not stored.

const secfixes = z.record(z.string(), z.array(z.string()).nullish()).nullish();
const header = { distroversion: z.string().min(1), reponame: z.string().nullish() };

const secdb = z.object({
  ...header,
  packages: z.array(z.object({ pkg: z.object({ name: z.string().min(1), secfixes }) })),
});
const packageDocument = z.object({ ...header, name: z.string().min(1), secfixes });

type Secfixes = z.infer<typeof secfixes>;

export async function* readAlpine(input: AdvisoryInput): AsyncGenerator<Advisory> {
  for await (const document of input.documents()) {
    const json = await readJson(document, input.limits);
    const what = 'not Alpine secdb data';
    const packages =
      json && typeof json === 'object' && 'packages' in json
        ? validated(secdb, json, document.name, what)
        : toSecdb(validated(packageDocument, json, document.name, what));

    const release = alpineRelease(packages.distroversion);
    for (const { pkg } of packages.packages)
      yield* packageAdvisories(release, pkg.name, pkg.secfixes);
  }
}

function toSecdb(document: z.infer<typeof packageDocument>): z.infer<typeof secdb> {
  const { name, secfixes: fixes, ...rest } = document;

  return { ...rest, packages: [{ pkg: { name, secfixes: fixes } }] };
}

/**
 * One advisory per listed id and fixed version. An entry may carry more than one id
 * ("CVE-2021-1234 GHSA-…"); the first is the advisory, the rest are its aliases.
 */
function* packageAdvisories(release: string, name: string, fixes: Secfixes): Generator<Advisory> {
  for (const [version, entries] of Object.entries(fixes ?? {})) {
    if (version === '0') continue;

    for (const entry of entries ?? []) {
      const [id, ...aliases] = entry.split(/\s+/).filter(Boolean);
      if (!id) continue;

      yield {
        id,
        aliases,
        affected: [
          {
            ecosystem: 'alpine',
            release,
            name,
            status: 'fixed',
            ranges: [
              {
                type: 'ECOSYSTEM',
                events: [
                  { kind: 'introduced', version: '0' },
                  { kind: 'fixed', version },
                ],
              },
            ],
            versions: [],
            severities: [],
          },
        ],
      };
    }
  }
}
