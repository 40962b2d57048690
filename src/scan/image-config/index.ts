// Checks of an image's config and history (runs as root, credentials in ENV or build steps,
// no HEALTHCHECK, remote ADD, …), and the config's texts for the secret scanner.

export { checkConfig, CONFIG_CHECKS, type ConfigCheck, type ConfigFinding } from './checks.js';
export {
  configTexts,
  ImageConfigError,
  parseImageConfig,
  type ImageConfigDocument,
} from './document.js';
export { buildStep, type BuildStep } from './history.js';
