export { configSchema, type Config, type ConfigInput } from './schema.js';
export {
  loadConfig,
  validateConfig,
  readConfigFile,
  resolvedPaths,
  listenAddress,
  setPath,
  ConfigError,
} from './load.js';
export { settings, envName, unknownEnvironment } from './settings.js';
export { Secret } from './secret.js';
