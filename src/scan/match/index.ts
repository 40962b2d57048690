// The matcher: which installed packages the advisory database says are vulnerable, and how.
// docs/scanning.md describes the rules.

export { matchInventory, bySeverity, type MatchInput } from './matcher.js';
export { severityRank } from './group.js';
export type {
  AdvisoryLookup,
  Finding,
  FindingPackage,
  MatchProblem,
  MatchProblemKind,
  MatchResult,
} from './finding.js';
