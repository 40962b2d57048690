import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  configSchema,
  envName,
  loadConfig,
  Secret,
  settings,
  unknownEnvironment,
  validateConfig,
} from '../../../src/config/index.js';

/** A value for every setting as an environment string, and what the schema makes of it. */
const samples: Record<string, [raw: string, parsed: unknown]> = {
  listen: ['0.0.0.0:7000', '0.0.0.0:7000'],
  dataDir: ['/srv/berth', '/srv/berth'],
  'tls.cert': ['/etc/berth/cert.pem', '/etc/berth/cert.pem'],
  'tls.key': ['/etc/berth/key.pem', '/etc/berth/key.pem'],
  'storage.driver': ['filesystem', 'filesystem'],
  'storage.filesystem.root': ['/mnt/blobs', '/mnt/blobs'],
  'database.driver': ['sqlite', 'sqlite'],
  'database.sqlite.path': ['/var/lib/berth.db', '/var/lib/berth.db'],
  'log.level': ['debug', 'debug'],
  'uploads.expiry': ['2h', 7_200_000],
  'uploads.sweepInterval': ['30s', 30_000],
  'uploads.automaticMount': ['false', false],
  'manifests.maxSize': ['1MiB', 1024 ** 2],
  'manifests.cacheSize': ['10MB', 10_000_000],
  'listing.maxPageSize': ['250', 250],
  'auth.enabled': ['false', false],
  'auth.service': ['registry.example', 'registry.example'],
  'auth.realm': ['https://registry.example/auth/token', 'https://registry.example/auth/token'],
  'auth.tokenTtl': ['15m', 900_000],
  'auth.refreshTokenTtl': ['7d', 7 * 86_400_000],
  'auth.keyRotation': ['90d', 90 * 86_400_000],
  'auth.anonymousPull': ['no', false],
  'auth.projectCreation': ['admins', 'admins'],
  'auth.createProjectOnPush': ['off', false],
  'auth.robotDefaultExpiry': ['0', 0],
  'auth.lockout.slowAfter': ['5', 5],
  'auth.lockout.attempts': ['20', 20],
  'auth.lockout.window': ['1h', 3_600_000],
  'auth.lockout.duration': ['30m', 1_800_000],
  'auth.ldap.enabled': ['true', true],
  'auth.ldap.url': ['ldaps://ldap.example:636', 'ldaps://ldap.example:636'],
  'auth.ldap.startTls': ['false', false],
  'auth.ldap.tlsCaFile': ['/etc/berth/ldap-ca.pem', '/etc/berth/ldap-ca.pem'],
  'auth.ldap.tlsVerify': ['no', false],
  'auth.ldap.bindDn': ['cn=berth,dc=example', 'cn=berth,dc=example'],
  'auth.ldap.bindPassword': ['bind-secret', new Secret('bind-secret')],
  'auth.ldap.userBase': ['ou=people,dc=example', 'ou=people,dc=example'],
  'auth.ldap.userFilter': ['(sAMAccountName={username})', '(sAMAccountName={username})'],
  'auth.ldap.usernameAttribute': ['sAMAccountName', 'sAMAccountName'],
  'auth.ldap.emailAttribute': ['userPrincipalName', 'userPrincipalName'],
  'auth.ldap.displayNameAttribute': ['displayName', 'displayName'],
  'auth.ldap.groupBase': ['ou=groups,dc=example', 'ou=groups,dc=example'],
  'auth.ldap.groupFilter': ['(memberUid={username})', '(memberUid={username})'],
  'auth.ldap.groupNameAttribute': ['ou', 'ou'],
  'auth.ldap.memberOfAttribute': ['memberOf', 'memberOf'],
  'auth.ldap.adminGroup': ['registry-admins', 'registry-admins'],
  'auth.ldap.timeout': ['2s', 2000],
  'auth.oidc.enabled': ['on', true],
  'auth.oidc.issuer': ['https://sso.example/realms/dev', 'https://sso.example/realms/dev'],
  'auth.oidc.clientId': ['berth', 'berth'],
  'auth.oidc.clientSecret': ['client-secret', new Secret('client-secret')],
  'auth.oidc.redirectUrl': [
    'https://registry.example/auth/oidc/callback',
    'https://registry.example/auth/oidc/callback',
  ],
  'auth.oidc.scopes': ['openid groups', 'openid groups'],
  'auth.oidc.usernameClaim': ['email', 'email'],
  'auth.oidc.groupsClaim': ['realm_access.roles', 'realm_access.roles'],
  'auth.oidc.adminGroup': ['registry-admins', 'registry-admins'],
  'auth.oidc.buttonLabel': ['Sign in with Keycloak', 'Sign in with Keycloak'],
  'audit.retention': ['365d', 365 * 86_400_000],
  'audit.pulls': ['yes', true],
  'scanning.enabled': ['false', false],
  'scanning.onPush': ['no', false],
  'scanning.workers': ['2', 2],
  'scanning.rescanInterval': ['12h', 43_200_000],
  'scanning.advisoryDatabase': ['/var/lib/berth/advisories.db', '/var/lib/berth/advisories.db'],
  'scanning.advisoryCheckInterval': ['30s', 30_000],
  'scanning.attachSboms': ['true', true],
  'scanning.jobTimeout': ['2h', 7_200_000],
  'http.shutdownTimeout': ['5s', 5000],
  'http.keepAliveTimeout': ['90s', 90_000],
  'http.idleTimeout': ['5m', 300_000],
};

describe('envName', () => {
  it.each([
    ['listen', 'BERTH_LISTEN'],
    ['dataDir', 'BERTH_DATA_DIR'],
    ['tls.cert', 'BERTH_TLS_CERT'],
    ['storage.filesystem.root', 'BERTH_STORAGE_FILESYSTEM_ROOT'],
    ['uploads.sweepInterval', 'BERTH_UPLOADS_SWEEP_INTERVAL'],
    ['listing.maxPageSize', 'BERTH_LISTING_MAX_PAGE_SIZE'],
    ['http.keepAliveTimeout', 'BERTH_HTTP_KEEP_ALIVE_TIMEOUT'],
    ['http.idleTimeout', 'BERTH_HTTP_IDLE_TIMEOUT'],
    ['s3.region2Name', 'BERTH_S3_REGION2_NAME'],
  ])('names %s as %s', (path, name) => {
    expect(envName(path)).toBe(name);
  });

  it('gives every setting its own variable', () => {
    const names = settings.map((s) => envName(s.path));

    expect(new Set(names).size).toBe(names.length);
  });
});

describe('settings list and schema', () => {
  const listed = settings.map((s) => s.path).sort();

  it('lists every leaf of the default configuration', () => {
    const defaults = leaves(validateConfig({}));

    expect(defaults.filter((path) => !listed.includes(path))).toEqual([]);
  });

  it('lists exactly the settings the schema declares', () => {
    expect(schemaLeaves(configSchema).sort()).toEqual(listed);
  });

  it('has a help text for every setting', () => {
    for (const setting of settings) expect(setting.help, setting.path).not.toBe('');
  });

  it('accepts every setting through its BERTH_* variable at its path', async () => {
    const env = Object.fromEntries(settings.map((s) => [envName(s.path), sampleOf(s.path)[0]]));

    const config = await loadConfig({ env });

    for (const setting of settings) {
      expect(comparable(valueAt(config, setting.path)), setting.path).toEqual(
        comparable(sampleOf(setting.path)[1]),
      );
    }
    expect(leaves(config).sort()).toEqual(listed);
  });
});

function sampleOf(path: string): [string, unknown] {
  const sample = samples[path];
  if (!sample) throw new Error(`add a sample value for the new setting ${path} to this test`);

  return sample;
}

/** A secret compares by the value it hides, which equality of objects would not see. */
function comparable(value: unknown): unknown {
  return value instanceof Secret ? { secret: value.reveal() } : value;
}

/** Dotted paths of every non-object value (secrets included) in a parsed configuration. */
function leaves(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const isSection =
      typeof child === 'object' &&
      child !== null &&
      !Array.isArray(child) &&
      !(child instanceof Secret);

    return isSection ? leaves(child as object, path) : [path];
  });
}

function valueAt(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
}

/**
 * Dotted paths of every leaf the schema declares, optional ones included, found by unwrapping
 * defaults and optionals down to objects (zod 4 keeps a schema's definition in `_zod.def`).
 */
function schemaLeaves(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, child]) =>
      schemaLeaves(child, prefix ? `${prefix}.${key}` : key),
    );
  }
  if (['default', 'prefault', 'optional', 'nullable'].includes(def.type) && def.innerType) {
    return schemaLeaves(def.innerType, prefix);
  }

  return [prefix];
}

describe('unknownEnvironment', () => {
  it('names BERTH_* variables that match no setting, so a misspelling is not silently ignored', () => {
    const env = {
      BERTH_LISTEN: '127.0.0.1:1',
      BERTH_LISTNG_MAX_PAGE_SIZE: '5',
      BERTH_CACHE: '/tmp/cache',
      HOME: '/root',
    };

    expect(unknownEnvironment(env)).toEqual(['BERTH_LISTNG_MAX_PAGE_SIZE']);
  });
});
