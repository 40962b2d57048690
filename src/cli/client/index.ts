export { ApiClient, apiPath, CliError, loginHint } from './http.js';
export {
  credentialsPath,
  readCredentials,
  updateCredentials,
  type Credentials,
  type StoredLogin,
} from './credentials.js';
export {
  chooseServer,
  normalizeServer,
  openSession,
  passwordLogin,
  type Session,
} from './session.js';
export type * from './types.js';
