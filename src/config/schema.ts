import { z } from 'zod';
import { Secret } from './secret.js';
import { parseDuration, parseSize } from './units.js';

/** Node cannot wait longer than 2^31-1 ms for a timer; longer waits silently become 1 ms. */
const maxTimerMs = 2 ** 31 - 1;

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration such as 30s, 10m, 24h or 7d`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A duration used as a timer: at least `minMs`, at most what Node's timers can wait. */
function timer(minMs: number) {
  return duration.refine((ms) => ms >= minMs && ms <= maxTimerMs, {
    message: `must be between ${minMs / 1000}s and 24d`,
  });
}

const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a size such as 4MiB, 500MB or 1024`,
    });
    return z.NEVER;
  }
  return bytes;
});

/** A credential: kept out of every printed or served copy of the configuration. */
const secret = z
  .string()
  .min(1)
  .transform((value) => new Secret(value));

/** An LDAP search filter with placeholders, e.g. (uid={username}); values are escaped. */
const ldapFilter = z
  .string()
  .min(3)
  .max(1024)
  .refine((f) => f.startsWith('(') && f.endsWith(')'), {
    message: 'must be an LDAP filter in parentheses, e.g. (uid={username})',
  });

const ldapAttribute = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]*$/, { message: 'must be an LDAP attribute name' });

/** Sign-in with passwords checked by an LDAP directory (docs/access-control.md). */
const ldap = z
  .object({
    enabled: z.boolean().default(false),
    url: z
      .string()
      .regex(/^ldaps?:\/\/[^/?#@\s]+\/?$/, {
        message: 'must be ldap://HOST[:PORT] or ldaps://HOST[:PORT]',
      })
      .optional(),
    startTls: z.boolean().default(false),
    tlsCaFile: z.string().min(1).optional(),
    tlsVerify: z.boolean().default(true),
    bindDn: z.string().min(1).optional(),
    bindPassword: secret.optional(),
    userBase: z.string().min(1).optional(),
    userFilter: ldapFilter.default('(uid={username})'),
    usernameAttribute: ldapAttribute.default('uid'),
    emailAttribute: ldapAttribute.default('mail'),
    displayNameAttribute: ldapAttribute.default('cn'),
    groupBase: z.string().min(1).optional(),
    groupFilter: ldapFilter.default('(member={dn})'),
    groupNameAttribute: ldapAttribute.default('cn'),
    memberOfAttribute: ldapAttribute.optional(),
    adminGroup: z.string().min(1).max(256).optional(),
    timeout: duration
      .refine((ms) => ms >= 100 && ms <= 60_000, { message: 'must be between 100ms and 60s' })
      .prefault('5s'),
  })
  .strict()
  .prefault({})
  .superRefine((ldap, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (ldap.enabled && !ldap.url) problem('url', 'is required when auth.ldap.enabled is true');
    if (ldap.enabled && !ldap.userBase)
      problem('userBase', 'is required when auth.ldap.enabled is true');
    if (Boolean(ldap.bindDn) !== Boolean(ldap.bindPassword))
      problem('bindDn', 'auth.ldap.bindDn and auth.ldap.bindPassword must be given together');
    if (ldap.startTls && ldap.url?.startsWith('ldaps:'))
      problem('startTls', 'StartTLS upgrades a plain ldap:// connection; ldaps:// is already TLS');
  });

/** Browser sign-in through an OpenID Connect provider (docs/access-control.md). */
const oidc = z
  .object({
    enabled: z.boolean().default(false),
    issuer: z.url({ protocol: /^https?$/ }).optional(),
    clientId: z.string().min(1).max(256).optional(),
    clientSecret: secret.optional(),
    redirectUrl: z.url({ protocol: /^https?$/ }).optional(),
    scopes: z
      .string()
      .refine((s) => s.split(/\s+/).includes('openid'), { message: 'must include openid' })
      .default('openid profile email'),
    usernameClaim: z.string().min(1).max(128).default('preferred_username'),
    groupsClaim: z.string().min(1).max(128).default('groups'),
    adminGroup: z.string().min(1).max(256).optional(),
    buttonLabel: z.string().min(1).max(64).default('Sign in with SSO'),
  })
  .strict()
  .prefault({})
  .superRefine((oidc, ctx) => {
    for (const key of ['issuer', 'clientId'] as const) {
      if (oidc.enabled && !oidc[key]) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'is required when auth.oidc.enabled is true',
        });
      }
    }
  });

const listen = z.string().refine((v) => parseListen(v) !== undefined, {
  message: 'must be HOST:PORT, for example 127.0.0.1:5000 or [::1]:5000',
});

/**
 * Every setting Berth reads, with its default. docs/configuration.md documents each one; the
 * test suite checks that the two agree.
 */
export const configSchema = z
  .object({
    listen: listen.default('127.0.0.1:5000'),
    dataDir: z.string().min(1).default('./data'),
    tls: z
      .object({
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
      })
      .strict()
      .prefault({})
      .refine((tls) => Boolean(tls.cert) === Boolean(tls.key), {
        message: 'tls.cert and tls.key must be given together',
      }),
    storage: z
      .object({
        driver: z.literal('filesystem').default('filesystem'),
        filesystem: z
          .object({ root: z.string().min(1).optional() })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        driver: z.literal('sqlite').default('sqlite'),
        sqlite: z
          .object({ path: z.string().min(1).optional() })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info'),
      })
      .strict()
      .prefault({}),
    uploads: z
      .object({
        expiry: duration.prefault('24h'),
        sweepInterval: timer(1000).prefault('10m'),
        automaticMount: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    manifests: z
      .object({
        maxSize: size
          .refine((n) => n >= 4096, { message: 'must be at least 4KiB' })
          .prefault('4MiB'),
        cacheSize: size.prefault('64MiB'),
      })
      .strict()
      .prefault({}),
    listing: z
      .object({ maxPageSize: z.number().int().min(1).max(100_000).default(10_000) })
      .strict()
      .prefault({}),
    auth: z
      .object({
        enabled: z.boolean().default(true),
        service: z.string().min(1).max(256).default('berth'),
        realm: z.url({ protocol: /^https?$/ }).optional(),
        tokenTtl: duration
          .refine((ms) => ms >= 10_000 && ms <= 24 * 3600_000, {
            message: 'must be between 10s and 24h',
          })
          .prefault('5m'),
        refreshTokenTtl: duration
          .refine((ms) => ms >= 60_000, { message: 'must be at least 1m' })
          .prefault('30d'),
        keyRotation: duration
          .refine((ms) => ms >= 60_000, { message: 'must be at least 1m' })
          .prefault('30d'),
        anonymousPull: z.boolean().default(true),
        projectCreation: z.enum(['everyone', 'admins']).default('everyone'),
        createProjectOnPush: z.boolean().default(true),
        robotDefaultExpiry: duration.prefault('30d'),
        lockout: z
          .object({
            slowAfter: z.number().int().min(1).default(3),
            attempts: z.number().int().min(2).default(10),
            window: duration.prefault('15m'),
            duration: duration.prefault('15m'),
          })
          .strict()
          .prefault({}),
        ldap,
        oidc,
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        retention: duration.prefault('90d'),
        pulls: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    scanning: z
      .object({
        enabled: z.boolean().default(true),
        onPush: z.boolean().default(true),
        workers: z.number().int().min(1).max(16).default(1),
        rescanInterval: duration
          .refine((ms) => ms === 0 || (ms >= 60_000 && ms <= maxTimerMs), {
            message: 'must be 0 (off) or between 1m and 24d',
          })
          .prefault('24h'),
        advisoryDatabase: z.string().min(1).optional(),
        advisoryCheckInterval: timer(1000).prefault('1m'),
        attachSboms: z.boolean().default(false),
        jobTimeout: timer(60_000).prefault('1h'),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        shutdownTimeout: timer(1000).prefault('30s'),
        keepAliveTimeout: timer(1000).prefault('65s'),
        idleTimeout: timer(1000).prefault('2m'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;

export function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;

  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
