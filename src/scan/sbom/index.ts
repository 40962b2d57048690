// SBOMs of an image's inventory: CycloneDX 1.6 JSON (with vulnerabilities when findings are
// given) and SPDX 2.3 JSON, both with purls and declared licences.

export { cyclonedxBom, cyclonedxJson } from './cyclonedx.js';
export { spdxDocument, spdxJson } from './spdx.js';
export { classifyLicense, type DeclaredLicense } from './licenses.js';
export { imagePurl } from './image-purl.js';
export { PROPERTY, type SbomInput } from './input.js';
