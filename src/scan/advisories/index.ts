// The advisory database: importers for OSV, Debian security tracker and Alpine secdb files,
// and the store the matcher looks packages up in. docs/advisories.md describes it for users.

export { importAdvisories, type ImportOptions } from './import.js';
export {
  openAdvisoryStore,
  AdvisoryStore,
  type PackageAdvisory,
  type SourceSummary,
  type ImportedSource,
} from './store.js';
export { AdvisoryImportError } from './errors.js';
export { defaultLimits, type InputLimits } from './documents.js';
export { ECOSYSTEM_OF, distributionOf } from './names.js';
export {
  ADVISORY_FORMATS,
  ADVISORY_STATUSES,
  SEVERITY_LEVELS,
  type Advisory,
  type AdvisoryFormat,
  type AdvisoryStatus,
  type AffectedPackage,
  type RangeEvent,
  type SeverityLevel,
  type SeverityRating,
  type VersionRange,
} from './model.js';
