// Scan reports for people and tools: a table, Berth's own JSON, and SARIF 2.1.0. SBOM formats
// live in ../sbom.

export { reportTable } from './table.js';
export { reportJson, REPORT_VERSION } from './json.js';
export { reportSarif } from './sarif.js';
export { atOrAbove, countBySeverity } from './summary.js';
export { printable } from './printable.js';
