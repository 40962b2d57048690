/**
 * The environment-variable rule: `BERTH_` followed by the setting's path in upper snake case
 * (`uploads.sweepInterval` → `BERTH_UPLOADS_SWEEP_INTERVAL`). Each leaf setting is listed here
 * once with its value type so that environment strings can be read as the schema expects.
 */
export const settings: readonly Setting[] = [
  { path: 'listen', type: 'string', help: 'address to listen on, HOST:PORT' },
  { path: 'dataDir', type: 'string', help: 'directory for blobs, database and upload staging' },
  { path: 'tls.cert', type: 'string', help: 'PEM certificate chain; enables HTTPS with tls.key' },
  { path: 'tls.key', type: 'string', help: 'PEM private key for tls.cert' },
  { path: 'storage.driver', type: 'string', help: 'blob store driver: filesystem' },
  { path: 'storage.filesystem.root', type: 'string', help: 'blob directory (default DATA/blobs)' },
  { path: 'database.driver', type: 'string', help: 'metadata database: sqlite' },
  { path: 'database.sqlite.path', type: 'string', help: 'SQLite file (default DATA/berth.db)' },
  { path: 'log.level', type: 'string', help: 'fatal, error, warn, info, debug, trace or silent' },
  {
    path: 'uploads.expiry',
    type: 'string',
    help: 'idle time after which an upload session is removed',
  },
  { path: 'uploads.sweepInterval', type: 'string', help: 'how often expired uploads are swept' },
  {
    path: 'uploads.automaticMount',
    type: 'boolean',
    help: 'mount without `from` finds the blob elsewhere',
  },
  { path: 'manifests.maxSize', type: 'string', help: 'largest manifest accepted' },
  { path: 'manifests.cacheSize', type: 'string', help: 'memory for cached manifest bodies' },
  { path: 'listing.maxPageSize', type: 'integer', help: 'largest page of tags or repositories' },
  { path: 'auth.enabled', type: 'boolean', help: 'require sign-in and apply permissions' },
  { path: 'auth.service', type: 'string', help: 'service name in registry tokens' },
  { path: 'auth.realm', type: 'string', help: 'token endpoint URL announced to clients' },
  { path: 'auth.tokenTtl', type: 'string', help: 'lifetime of registry access tokens' },
  { path: 'auth.refreshTokenTtl', type: 'string', help: 'lifetime of refresh tokens' },
  {
    path: 'auth.keyRotation',
    type: 'string',
    help: 'age at which the token signing key is replaced',
  },
  { path: 'auth.anonymousPull', type: 'boolean', help: 'anonymous pulls from public projects' },
  {
    path: 'auth.projectCreation',
    type: 'string',
    help: 'who may create projects: everyone or admins',
  },
  {
    path: 'auth.createProjectOnPush',
    type: 'boolean',
    help: 'a push by a user who may create projects creates a missing one',
  },
  { path: 'auth.robotDefaultExpiry', type: 'string', help: 'lifetime of a new robot; 0 for none' },
  {
    path: 'auth.lockout.slowAfter',
    type: 'integer',
    help: 'failed sign-ins before answers slow down',
  },
  { path: 'auth.lockout.attempts', type: 'integer', help: 'failed sign-ins that lock the account' },
  { path: 'auth.lockout.window', type: 'string', help: 'period in which failures are counted' },
  { path: 'auth.lockout.duration', type: 'string', help: 'how long a locked account stays locked' },
  { path: 'auth.ldap.enabled', type: 'boolean', help: 'check passwords against an LDAP directory' },
  {
    path: 'auth.ldap.url',
    type: 'string',
    help: 'directory address, ldap://HOST:PORT or ldaps://',
  },
  {
    path: 'auth.ldap.startTls',
    type: 'boolean',
    help: 'upgrade ldap:// connections with StartTLS',
  },
  { path: 'auth.ldap.tlsCaFile', type: 'string', help: "PEM file of the directory's CA" },
  { path: 'auth.ldap.tlsVerify', type: 'boolean', help: "verify the directory's certificate" },
  { path: 'auth.ldap.bindDn', type: 'string', help: 'service account that searches for users' },
  {
    path: 'auth.ldap.bindPassword',
    type: 'string',
    help: "the service account's password",
  },
  { path: 'auth.ldap.userBase', type: 'string', help: 'base DN under which users are searched' },
  { path: 'auth.ldap.userFilter', type: 'string', help: 'filter finding a user by {username}' },
  {
    path: 'auth.ldap.usernameAttribute',
    type: 'string',
    help: "attribute holding the user's name",
  },
  { path: 'auth.ldap.emailAttribute', type: 'string', help: "attribute holding the user's e-mail" },
  {
    path: 'auth.ldap.displayNameAttribute',
    type: 'string',
    help: "attribute holding the user's display name",
  },
  {
    path: 'auth.ldap.groupBase',
    type: 'string',
    help: 'base DN of group searches; none: no search',
  },
  {
    path: 'auth.ldap.groupFilter',
    type: 'string',
    help: 'filter finding groups of {dn}/{username}',
  },
  {
    path: 'auth.ldap.groupNameAttribute',
    type: 'string',
    help: "attribute holding a group's name",
  },
  {
    path: 'auth.ldap.memberOfAttribute',
    type: 'string',
    help: "user attribute listing the user's group DNs",
  },
  {
    path: 'auth.ldap.adminGroup',
    type: 'string',
    help: 'directory group of system administrators',
  },
  { path: 'auth.ldap.timeout', type: 'string', help: 'limit for connecting and each operation' },
  { path: 'auth.oidc.enabled', type: 'boolean', help: 'offer sign-in through an OIDC provider' },
  { path: 'auth.oidc.issuer', type: 'string', help: "the provider's issuer URL" },
  { path: 'auth.oidc.clientId', type: 'string', help: "Berth's client id at the provider" },
  {
    path: 'auth.oidc.clientSecret',
    type: 'string',
    help: "Berth's client secret; none for a public client",
  },
  {
    path: 'auth.oidc.redirectUrl',
    type: 'string',
    help: 'callback URL registered at the provider',
  },
  { path: 'auth.oidc.scopes', type: 'string', help: 'scopes asked for, separated by spaces' },
  { path: 'auth.oidc.usernameClaim', type: 'string', help: "claim holding the user's name" },
  { path: 'auth.oidc.groupsClaim', type: 'string', help: "claim listing the user's groups" },
  { path: 'auth.oidc.adminGroup', type: 'string', help: 'group of system administrators' },
  { path: 'auth.oidc.buttonLabel', type: 'string', help: 'label of the sign-in button' },
  {
    path: 'audit.retention',
    type: 'string',
    help: 'age after which audit events are deleted; 0 keeps all',
  },
  { path: 'audit.pulls', type: 'boolean', help: 'record every manifest pull in the audit log' },
  { path: 'scanning.enabled', type: 'boolean', help: 'scan images inside the registry' },
  { path: 'scanning.onPush', type: 'boolean', help: 'queue a scan of every image pushed' },
  { path: 'scanning.workers', type: 'integer', help: 'scans this node runs at the same time' },
  {
    path: 'scanning.rescanInterval',
    type: 'string',
    help: 'age after which a scan is matched again; 0 turns scheduled rescans off',
  },
  {
    path: 'scanning.advisoryDatabase',
    type: 'string',
    help: 'advisory database file (default DATA/advisories.db)',
  },
  {
    path: 'scanning.advisoryCheckInterval',
    type: 'string',
    help: 'how often the advisory database is checked for a new import',
  },
  {
    path: 'scanning.attachSboms',
    type: 'boolean',
    help: 'push CycloneDX and SPDX SBOMs as referrers of each scanned image',
  },
  {
    path: 'scanning.jobTimeout',
    type: 'string',
    help: 'a scan running longer is taken to have died with its node and runs again',
  },
  { path: 'http.shutdownTimeout', type: 'string', help: 'how long shutdown waits for requests' },
  { path: 'http.keepAliveTimeout', type: 'string', help: 'idle keep-alive connection timeout' },
  { path: 'http.idleTimeout', type: 'string', help: 'a connection silent this long is closed' },
];

export interface Setting {
  path: string;
  type: 'string' | 'boolean' | 'integer';
  help: string;
}

export function envName(path: string): string {
  return `BERTH_${path
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('_')}`;
}

/**
 * BERTH_* variables that are not settings: secrets read once at start-up (never part of the
 * printed configuration) and variables of the project's scripts and tests.
 */
const toolingVariables = new Set([
  'BERTH_ADMIN_PASSWORD',
  'BERTH_CACHE',
  'BERTH_TOOLS_CHECK',
  'BERTH_DEBIAN_MIRROR',
  'BERTH_TEST_LOG',
]);

/**
 * BERTH_* variables that name no setting: most likely misspelt, and otherwise silently ignored.
 * The server warns about them at start-up; they never stop it.
 */
export function unknownEnvironment(env: NodeJS.ProcessEnv): string[] {
  const known = new Set(settings.map((s) => envName(s.path)));

  return Object.keys(env)
    .filter((name) => name.startsWith('BERTH_') && !known.has(name) && !toolingVariables.has(name))
    .sort();
}
