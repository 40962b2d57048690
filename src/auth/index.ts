import type { Logger } from 'pino';
import type { MetadataStore } from '../metadata/index.js';
import { AccessControl } from './access.js';
import { AccountService } from './accounts.js';
import { AuditLog } from './audit.js';
import { Authenticator, type PasswordSource } from './authenticator.js';
import { OidcLogin, type OidcSettings } from './identity/oidc.js';
import { KeyRing } from './keys.js';
import { LoginGuard } from './login-guard.js';
import { QuotaService } from './quotas.js';
import { RegistryGate } from './registry-gate.js';
import { TokenService } from './tokens.js';

export { AccessControl } from './access.js';
export { AccountService, robotActions, type Actor } from './accounts.js';
export { AuditLog, type AuditEntry } from './audit.js';
export {
  Authenticator,
  parseAuthorization,
  robotPrefix,
  SourceUnavailableError,
  userPrincipal,
} from './authenticator.js';
export type {
  Authenticated,
  Credentials,
  ExternalIdentity,
  PasswordSource,
} from './authenticator.js';
export { LdapSource, type LdapSettings } from './identity/ldap.js';
export { loginTtlMs, OidcLogin, safeReturnPath, type OidcSettings } from './identity/oidc.js';
export { AuthError, isAuthError, OAuthError, type AuthErrorKind } from './errors.js';
export * from './permissions.js';
export { anonymous, isSystemAdmin, principalName, type Principal } from './principal.js';
export { projectOf, RegistryGate, tokenRealm, type RegistryNeed } from './registry-gate.js';
export { formatScope, parseScopes, type Scope } from './scopes.js';
export { TokenService } from './tokens.js';
export { QuotaService, type QuotaDescription } from './quotas.js';
export { passwordMaxLength, passwordMinLength } from './secrets.js';
export {
  labelKeyPattern,
  maxLabels,
  maxLabelValue,
  projectNamePattern,
  repositoryPatternPattern,
  robotNamePattern,
  userNamePattern,
} from './validation.js';

export interface AuthSettings {
  enabled: boolean;
  service: string;
  tokenTtl: number;
  refreshTokenTtl: number;
  keyRotation: number;
  anonymousPull: boolean;
  projectCreation: 'everyone' | 'admins';
  createProjectOnPush: boolean;
  robotDefaultExpiry: number;
  lockout: { slowAfter: number; attempts: number; window: number; duration: number };
}

export interface AuditSettings {
  retention: number;
  pulls: boolean;
}

/** Everything about who may do what, built once by the composition root. */
export interface Auth {
  enabled: boolean;
  access: AccessControl;
  authenticator: Authenticator;
  gate: RegistryGate;
  tokens: TokenService;
  keys: KeyRing;
  accounts: AccountService;
  audit: AuditLog;
  quotas: QuotaService;
  /** Directories that check passwords besides Berth's own accounts (LDAP). */
  sources: readonly PasswordSource[];
  /** Browser sign-in through an OIDC provider, when configured. */
  oidc?: OidcLogin;
  /** Runs the periodic audit retention sweep. */
  start(): void;
  stop(): Promise<void>;
}

const cacheMs = 5_000;
const auditSweepMs = 3600_000;

export function createAuth(
  meta: MetadataStore,
  settings: AuthSettings,
  auditSettings: AuditSettings,
  logger: Logger,
  sources: PasswordSource[] = [],
  oidcSettings?: OidcSettings,
): Auth {
  const store = meta.accounts;
  const audit = new AuditLog(
    store,
    { retentionMs: auditSettings.retention, pulls: auditSettings.pulls },
    (err) => logger.error({ err }, 'failed to write audit events'),
  );
  const access = new AccessControl(store, {
    anonymousPull: settings.anonymousPull,
    projectCreation: settings.projectCreation,
    cacheMs,
  });
  const keys = new KeyRing(store, {
    rotationMs: settings.keyRotation,
    retainMs: settings.refreshTokenTtl + settings.tokenTtl,
  });
  const tokens = new TokenService(keys, {
    issuer: settings.service,
    service: settings.service,
    accessTtlMs: settings.tokenTtl,
    refreshTtlMs: settings.refreshTokenTtl,
  });
  const guard = new LoginGuard(store, {
    slowAfter: settings.lockout.slowAfter,
    lockAfter: settings.lockout.attempts,
    windowMs: settings.lockout.window,
    lockMs: settings.lockout.duration,
  });
  const authenticator = new Authenticator(
    store,
    tokens,
    guard,
    audit,
    { credentialCacheMs: cacheMs },
    sources,
  );
  const accounts = new AccountService(
    store,
    access,
    audit,
    guard,
    { robotDefaultTtlMs: settings.robotDefaultExpiry },
    () => {
      access.invalidate();
      authenticator.invalidate();
    },
  );

  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () =>
    void audit
      .sweep()
      .catch((err: unknown) => logger.error({ err }, 'failed to sweep audit events'));

  return {
    enabled: settings.enabled,
    access,
    authenticator,
    gate: new RegistryGate(
      authenticator,
      access,
      settings.service,
      settings.createProjectOnPush ? (p, name) => accounts.createOnPush(p, name) : undefined,
    ),
    tokens,
    keys,
    accounts,
    audit,
    quotas: new QuotaService(store, access, audit, logger),
    sources,
    oidc: oidcSettings && new OidcLogin(oidcSettings, tokens, authenticator, audit, logger),
    start() {
      sweep();
      sweeper = setInterval(sweep, auditSweepMs);
      sweeper.unref();
    },
    async stop() {
      clearInterval(sweeper);
      await audit.flush();
    },
  };
}
