import { z } from 'zod';
import { readJson, type AdvisoryInput } from './documents.js';
import { AdvisoryImportError, validated } from './errors.js';
import type {
  Advisory,
  AffectedPackage,
  RangeEvent,
  SeverityRating,
  VersionRange,
} from './model.js';
import { splitEcosystem } from './names.js';
import { labelRating, vectorRating } from './severity.js';

// OSV records (ossf.github.io/osv-schema), one per document: loose files, folders such as a
// checkout of the GitHub Advisory Database, zips such as osv.dev's <ECOSYSTEM>/all.zip.

const vendorFields = z.record(z.string(), z.unknown()).nullish();
const severityEntry = z.object({ type: z.string(), score: z.string() });

const event = z.object({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});

const affectedEntry = z.object({
  package: z
    .object({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().nullish() })
    .nullish(),
  severity: z.array(severityEntry).nullish(),
  ranges: z.array(z.object({ type: z.string(), events: z.array(event) })).nullish(),
  versions: z.array(z.string()).nullish(),
  ecosystem_specific: vendorFields,
  database_specific: vendorFields,
});

const record = z.object({
  id: z.string().min(1),
  modified: z.string(),
  published: z.string().nullish(),
  withdrawn: z.string().nullish(),
  aliases: z.array(z.string()).nullish(),
  upstream: z.array(z.string()).nullish(),
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: z.array(severityEntry).nullish(),
  affected: z.array(affectedEntry).nullish(),
  database_specific: vendorFields,
});

type OsvRecord = z.infer<typeof record>;
type OsvAffected = z.infer<typeof affectedEntry>;

const eventKinds = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

export async function* readOsv(input: AdvisoryInput): AsyncGenerator<Advisory> {
  for await (const document of input.documents()) {
    yield osvAdvisory(await readJson(document, input.limits), document.name);
  }
}

/** One OSV record as an advisory. Withdrawn records come back marked, with no packages. */
export function osvAdvisory(json: unknown, file: string): Advisory {
  const osv = validated(record, json, file, 'not an OSV record');
  const withdrawn = osv.withdrawn ? date(osv.withdrawn, 'withdrawn', file) : undefined;

  return {
    id: osv.id,
    // `upstream` names the same issue as filed upstream (DEBIAN-CVE-… → CVE-…), which is what
    // findings are grouped by, so it joins the aliases.
    aliases: unique([...(osv.aliases ?? []), ...(osv.upstream ?? [])]).filter((a) => a !== osv.id),
    summary: osv.summary ?? undefined,
    details: osv.details ?? undefined,
    published: osv.published ? date(osv.published, 'published', file) : undefined,
    modified: date(osv.modified, 'modified', file),
    withdrawn,
    affected: withdrawn ? [] : (osv.affected ?? []).flatMap((a) => affectedPackage(osv, a)),
  };
}

/**
 * An OSV `affected` entry, or nothing when it names no package or only commit ranges. A fix in
 * any range makes the status `fixed`; OSV has no way to say "will not fix".
 */
function affectedPackage(osv: OsvRecord, entry: OsvAffected): AffectedPackage[] {
  if (!entry.package) return [];

  const ranges = (entry.ranges ?? []).flatMap(versionRange);
  const versions = entry.versions ?? [];
  if (ranges.length === 0 && versions.length === 0) return [];
  const fixed = ranges.some((r) => r.events.some((e) => e.kind === 'fixed'));

  return [
    {
      ...splitEcosystem(entry.package.ecosystem),
      name: entry.package.name,
      purl: entry.package.purl ?? undefined,
      status: fixed ? 'fixed' : 'affected',
      ranges,
      versions,
      severities: severities(osv, entry),
    },
  ];
}

function versionRange(range: { type: string; events: z.infer<typeof event>[] }): VersionRange[] {
  if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') return [];

  const events: RangeEvent[] = range.events.flatMap((e) =>
    eventKinds.flatMap((kind) => (e[kind] === undefined ? [] : [{ kind, version: e[kind] }])),
  );

  return [{ type: range.type, events }];
}

/**
 * Ratings in precedence order: vendor labels first (the package's own, then the record's),
 * then scored CVSS v3 vectors, then vectors Berth does not score (v2, v4).
 */
function severities(osv: OsvRecord, entry: OsvAffected): SeverityRating[] {
  const vendor = osv.id.split('-')[0]!.toLowerCase();
  const labels = [
    ...vendorLabels(vendor, entry.ecosystem_specific),
    ...vendorLabels(vendor, entry.database_specific),
    ...vendorLabels(vendor, osv.database_specific),
  ];
  const vectors = [...(entry.severity ?? []), ...(osv.severity ?? [])].map((s) =>
    vectorRating(s.type, s.score),
  );
  const rank = (r: SeverityRating) =>
    r.source === 'cvss-v3' ? 1 : r.source.startsWith('cvss') ? 2 : 0;

  return [...labels, ...vectors.sort((a, b) => rank(a) - rank(b))];
}

/**
 * `severity` as GitHub and others label it, and the Debian tracker's `urgency` that osv.dev
 * copies into its Debian records.
 */
function vendorLabels(vendor: string, fields: Record<string, unknown> | null | undefined) {
  const ratings: SeverityRating[] = [];
  if (typeof fields?.severity === 'string') ratings.push(labelRating(vendor, fields.severity));
  if (typeof fields?.urgency === 'string') ratings.push(labelRating('debian', fields.urgency));

  return ratings;
}

function date(text: string, field: string, file: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new AdvisoryImportError(file, `${field}: "${text}" is not a date`);

  return ms;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
