// Version ordering per scheme (model.ts's VersionScheme) and advisory range evaluation.
// docs/scanning-versions.md describes each scheme, its source of truth and its test vectors.
export { compareVersions, isValidVersion, tryCompareVersions, versionProblem } from './compare.js';
export { InvalidVersionError } from './ordering.js';
export { evaluateRange, isBeforeFixed, type AffectedVerdict, type RangeEvent } from './ranges.js';
