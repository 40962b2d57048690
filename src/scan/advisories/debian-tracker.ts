import { z } from 'zod';
import { debianPackage, type Verdict } from './debian-verdict.js';
import { validated } from './errors.js';
import type { Advisory } from './model.js';

// The Debian security tracker's JSON export (security-tracker.debian.org/tracker/data/json):
// source package → issue id → { description, releases: codename → { status, fixed_version,
// urgency, nodsa, nodsa_reason } }. It is read one source package at a time.

const release = z.object({
  status: z.string(),
  fixed_version: z.string().nullish(),
  urgency: z.string().nullish(),
  nodsa: z.string().nullish(),
  nodsa_reason: z.string().nullish(),
});

const issues = z.record(
  z.string(),
  z.object({ description: z.string().nullish(), releases: z.record(z.string(), release) }),
);

type TrackerRelease = z.infer<typeof release>;

/**
 * The advisories of one source package. An issue appears under every source package it
 * affects; each appearance yields the same id with that package's releases.
 */
export function trackerAdvisories(sourcePackage: string, value: unknown, file: string): Advisory[] {
  const entries = validated(issues, value, file, 'not Debian tracker data', [sourcePackage]);
  const advisories: Advisory[] = [];

  for (const [id, issue] of Object.entries(entries)) {
    const affected = Object.entries(issue.releases).flatMap(([codename, r]) => {
      const verdict = trackerVerdict(r);
      return verdict ? [debianPackage(codename, sourcePackage, verdict, r.urgency)] : [];
    });
    if (affected.length === 0) continue;

    advisories.push({ id, aliases: [], summary: issue.description ?? undefined, affected });
  }

  return advisories;
}

/**
 * `resolved` with version "0" means the release was never affected. An open issue marked
 * no-dsa is still affected (a fix may come with a point release) unless the reason says the
 * security team ignored or postponed it. Undetermined issues count as affected until the
 * tracker decides.
 */
function trackerVerdict(r: TrackerRelease): Verdict | undefined {
  const note = r.nodsa || undefined;

  if (r.status === 'resolved') {
    return r.fixed_version && r.fixed_version !== '0'
      ? { status: 'fixed', fixed: r.fixed_version }
      : undefined;
  }
  if (r.nodsa_reason === 'ignored') return { status: 'will-not-fix', note };
  if (r.nodsa_reason === 'postponed') return { status: 'deferred', note };
  if (r.urgency === 'end-of-life') return { status: 'will-not-fix', note: note ?? 'end of life' };

  return { status: 'affected', note };
}
