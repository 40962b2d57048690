import { z } from 'zod';
import { debianPackage, type Verdict } from './debian-verdict.js';
import { validated } from './errors.js';
import type { Advisory, AffectedPackage } from './model.js';
import { debianCodenames } from './names.js';

// The security tracker's list files (data/CVE/list, data/DSA/list, data/DLA/list) as one JSON
// document per entry, the layout of the vuln-list-debian repository: a Header and Annotations
// such as "[bookworm] - curl 7.88.1-10+deb12u4" or "- tar <unfixed> (unimportant)". Unlike the
// tracker's JSON export, nothing here is resolved per release yet, so this module does what the
// tracker does: a release without its own line takes the fix a DSA/DLA gave it, or else the
// unstable (sid) line.

const annotation = z.object({
  Type: z.string(),
  Release: z.string().nullish(),
  Package: z.string().nullish(),
  Kind: z.string().nullish(),
  Version: z.string().nullish(),
  Severity: z.string().nullish(),
  Description: z.string().nullish(),
  Bugs: z.array(z.string()).nullish(),
});

const listEntry = z.object({
  Header: z.object({ ID: z.string().min(1), Description: z.string().nullish() }),
  Annotations: z.array(annotation).nullish(),
});

const distributions = z.record(z.string(), z.object({ 'major-version': z.string() }));

type Line = z.infer<typeof annotation> & { Package: string; Kind: string };

/** Releases that no image runs. */
const notReleases = new Set(['sid', 'experimental']);

/** A fix announced by a DSA or DLA: source package → release → version. */
type Fixes = Map<string, Map<string, { version: string; advisory: string }>>;

/**
 * What the DSA and DLA entries and distributions.json contribute to every CVE entry; read in a
 * first pass over the input, before the CVE entries.
 */
export class DebianListContext {
  /** Releases from distributions.json, when the input has it. */
  private listed: Set<string> | undefined;
  private readonly fixes = new Map<string, Fixes>();
  private readonly announcements = new Map<string, Set<string>>();
  private readonly titles = new Map<string, string>();

  /** Whether a document is read in the first pass, by its file name. */
  static isContextDocument(baseName: string): boolean {
    return baseName === 'distributions.json' || /^(DSA|DLA|DTSA)-.*\.json$/.test(baseName);
  }

  add(json: unknown, baseName: string, file: string): void {
    if (baseName === 'distributions.json') {
      const known = validated(distributions, json, file, 'not a Debian distributions list');
      this.listed = new Set(Object.keys(known));
      return;
    }

    const entry = validated(listEntry, json, file, 'not a Debian security tracker entry');
    const announcement = entry.Header.ID;
    const lines = packageLines(entry.Annotations ?? [], file);
    for (const id of crossReferences(entry.Annotations ?? [])) {
      for (const line of lines) this.addFix(id, announcement, line);
      this.announced(id, announcement, entry.Header.Description);
    }
  }

  /** The releases records are resolved for: the tracker's own list, or Berth's table. */
  get releases(): Set<string> {
    return this.listed ?? new Set(Object.values(debianCodenames));
  }

  fixesFor(id: string): Fixes | undefined {
    return this.fixes.get(id);
  }

  announcementsFor(id: string): string[] {
    return [...(this.announcements.get(id) ?? [])];
  }

  /** Issues known only from a DSA or DLA, with no entry of their own in the input. */
  *remaining(seen: Set<string>): Generator<Advisory> {
    for (const [id, fixes] of this.fixes) {
      if (seen.has(id)) continue;
      const affected = [...fixes].flatMap(([name, releases]) =>
        [...releases].map(([release, fix]) =>
          debianPackage(release, name, { status: 'fixed', fixed: fix.version }, undefined),
        ),
      );

      yield { id, aliases: this.announcementsFor(id), summary: this.titles.get(id), affected };
    }
  }

  private addFix(id: string, announcement: string, line: Line): void {
    if (line.Kind !== 'fixed' || !line.Release || !line.Version) return;

    const byPackage = this.fixes.get(id) ?? new Map();
    const byRelease = byPackage.get(line.Package) ?? new Map();
    const known = byRelease.get(line.Release);
    if (!known || laterAnnouncement(announcement, known.advisory)) {
      byRelease.set(line.Release, { version: line.Version, advisory: announcement });
    }
    byPackage.set(line.Package, byRelease);
    this.fixes.set(id, byPackage);
  }

  private announced(id: string, announcement: string, title: string | null | undefined): void {
    const set = this.announcements.get(id) ?? new Set();
    set.add(announcement);
    this.announcements.set(id, set);
    if (title && !this.titles.has(id)) this.titles.set(id, `${announcement}: ${title}`);
  }
}

/** One CVE (or TEMP-…) entry as an advisory, its packages resolved release by release. */
export function listAdvisory(json: unknown, file: string, context: DebianListContext): Advisory {
  const entry = validated(listEntry, json, file, 'not a Debian security tracker entry');
  const id = entry.Header.ID;
  const lines = packageLines(entry.Annotations ?? [], file);
  const fixes = context.fixesFor(id);

  const names = new Set([...lines.map((l) => l.Package), ...(fixes?.keys() ?? [])]);
  const releases = new Set([...context.releases, ...lines.flatMap((l) => l.Release ?? [])]);
  for (const name of notReleases) releases.delete(name);
  const affected = [...names].flatMap((name) =>
    resolve(
      name,
      lines.filter((l) => l.Package === name),
      fixes?.get(name),
      releases,
    ),
  );

  return {
    id,
    aliases: [
      ...new Set([...crossReferences(entry.Annotations ?? []), ...context.announcementsFor(id)]),
    ].filter((alias) => alias !== id),
    summary: entry.Header.Description ?? undefined,
    affected,
  };
}

/**
 * A package's record in each release and in sid. A release's own line decides; without one,
 * a DSA/DLA fix for that release does; without either, the sid line does, as the tracker
 * reads it: fixed in sid at V means fixed at V everywhere, and a package removed from sid is
 * still open in the releases that ship it.
 */
function resolve(
  name: string,
  lines: Line[],
  fixes: Map<string, { version: string }> | undefined,
  releases: Set<string>,
): AffectedPackage[] {
  const sid = lines.find((l) => !l.Release);
  const own = new Map(lines.flatMap((l) => (l.Release ? [[l.Release, l] as const] : [])));
  const packages: AffectedPackage[] = [];

  for (const release of releases) {
    const line = own.get(release);
    const fix = fixes?.get(release);
    const verdict = line
      ? lineVerdict(line)
      : fix
        ? ({ status: 'fixed', fixed: fix.version } as const)
        : sid && lineVerdict(sid);
    if (verdict)
      packages.push(debianPackage(release, name, verdict, line?.Severity ?? sid?.Severity));
  }
  if (sid && sid.Kind !== 'removed') {
    const verdict = lineVerdict(sid);
    if (verdict) packages.push(debianPackage('sid', name, verdict, sid.Severity));
  }

  return packages;
}

/**
 * The list's kinds: a version means fixed (version 0: never affected); <not-affected> and
 * <itp> (not in Debian yet) mean no record; <ignored> and <end-of-life> mean no fix will come;
 * <postponed> means a fix will come later; <unfixed>, <no-dsa> (a fix may come with a point
 * release), <undetermined> and <removed> (seen from a release that still ships it) are open.
 */
function lineVerdict(line: Line): Verdict | undefined {
  const note = line.Description ?? undefined;

  switch (line.Kind) {
    case 'fixed':
      return line.Version && line.Version !== '0'
        ? { status: 'fixed', fixed: line.Version }
        : undefined;
    case 'not-affected':
    case 'itp':
      return undefined;
    case 'ignored':
      return { status: 'will-not-fix', note };
    case 'end-of-life':
      return { status: 'will-not-fix', note: note ?? 'end of life' };
    case 'postponed':
      return { status: 'deferred', note };
    default:
      return { status: 'affected', note };
  }
}

function packageLines(annotations: z.infer<typeof annotation>[], file: string): Line[] {
  return annotations
    .filter((a) => a.Type === 'package')
    .map((a, i) => validated(packageLine, a, file, 'malformed package annotation', [i]));
}

const packageLine = annotation.extend({ Package: z.string().min(1), Kind: z.string().min(1) });

/** The ids an entry cross-references: a CVE's DSAs and DLAs, or a DSA's CVEs. */
function crossReferences(annotations: z.infer<typeof annotation>[]): string[] {
  return annotations.filter((a) => a.Type === 'xref').flatMap((a) => a.Bugs ?? []);
}

/** DSA-5523-2 supersedes DSA-5523-1 and DSA-5500-1. */
function laterAnnouncement(a: string, b: string): boolean {
  const number = (id: string) => (/-(\d+)(?:-(\d+))?$/.exec(id) ?? []).slice(1).map(Number);
  const [an = 0, ar = 0] = number(a);
  const [bn = 0, br = 0] = number(b);

  return an !== bn ? an > bn : ar > br;
}
