import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  listenAddress,
  loadConfig,
  readConfigFile,
  resolvedPaths,
  validateConfig,
} from '../../../src/config/index.js';

describe('defaults', () => {
  it('fills every setting with its default when nothing is given', async () => {
    const config = await loadConfig({ env: {} });

    expect(config).toEqual({
      listen: '127.0.0.1:5000',
      dataDir: './data',
      tls: {},
      storage: { driver: 'filesystem', filesystem: {} },
      database: { driver: 'sqlite', sqlite: {} },
      log: { level: 'info' },
      uploads: { expiry: 24 * 3_600_000, sweepInterval: 10 * 60_000, automaticMount: true },
      manifests: { maxSize: 4 * 1024 ** 2, cacheSize: 64 * 1024 ** 2 },
      listing: { maxPageSize: 10_000 },
      auth: {
        enabled: true,
        service: 'berth',
        tokenTtl: 5 * 60_000,
        refreshTokenTtl: 30 * 86_400_000,
        keyRotation: 30 * 86_400_000,
        anonymousPull: true,
        projectCreation: 'everyone',
        createProjectOnPush: true,
        robotDefaultExpiry: 30 * 86_400_000,
        lockout: { slowAfter: 3, attempts: 10, window: 15 * 60_000, duration: 15 * 60_000 },
        ldap: {
          enabled: false,
          startTls: false,
          tlsVerify: true,
          userFilter: '(uid={username})',
          usernameAttribute: 'uid',
          emailAttribute: 'mail',
          displayNameAttribute: 'cn',
          groupFilter: '(member={dn})',
          groupNameAttribute: 'cn',
          timeout: 5000,
        },
        oidc: {
          enabled: false,
          scopes: 'openid profile email',
          usernameClaim: 'preferred_username',
          groupsClaim: 'groups',
          buttonLabel: 'Sign in with SSO',
        },
      },
      audit: { retention: 90 * 86_400_000, pulls: false },
      scanning: {
        enabled: true,
        onPush: true,
        workers: 1,
        rescanInterval: 86_400_000,
        advisoryCheckInterval: 60_000,
        attachSboms: false,
        jobTimeout: 3_600_000,
      },
      http: { shutdownTimeout: 30_000, keepAliveTimeout: 65_000, idleTimeout: 120_000 },
    });
  });

  it('derives the blob root and database path from dataDir unless set', () => {
    const derived = resolvedPaths(validateConfig({ dataDir: '/srv/berth' }));
    const explicit = resolvedPaths(
      validateConfig({
        dataDir: '/srv/berth',
        storage: { filesystem: { root: '/mnt/blobs' } },
        database: { sqlite: { path: '/var/lib/berth.db' } },
        scanning: { advisoryDatabase: '/var/lib/advisories.db' },
      }),
    );

    expect(derived).toEqual({
      blobRoot: path.resolve('/srv/berth/blobs'),
      databasePath: path.resolve('/srv/berth/berth.db'),
      advisoryDatabasePath: path.resolve('/srv/berth/advisories.db'),
    });
    expect(explicit).toEqual({
      blobRoot: path.resolve('/mnt/blobs'),
      databasePath: path.resolve('/var/lib/berth.db'),
      advisoryDatabasePath: path.resolve('/var/lib/advisories.db'),
    });
  });
});

describe('sources and precedence', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-config-'));
    file = path.join(dir, 'berth.yaml');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads settings from a YAML file, converting durations and sizes', async () => {
    await writeFile(
      file,
      [
        'listen: 0.0.0.0:6000',
        'uploads:',
        '  expiry: 2h',
        '  automaticMount: false',
        'manifests:',
        '  maxSize: 1MiB',
        'listing:',
        '  maxPageSize: 50',
      ].join('\n'),
    );

    const config = await loadConfig({ file, env: {} });

    expect(config.listen).toBe('0.0.0.0:6000');
    expect(config.uploads).toEqual({
      expiry: 7_200_000,
      sweepInterval: 600_000,
      automaticMount: false,
    });
    expect(config.manifests.maxSize).toBe(1024 ** 2);
    expect(config.listing.maxPageSize).toBe(50);
  });

  it('lets the environment override the file and flags override both', async () => {
    await writeFile(file, 'listen: 0.0.0.0:1000\nlog:\n  level: warn\ndataDir: /from/file\n');
    const env = { BERTH_LISTEN: '0.0.0.0:2000', BERTH_LOG_LEVEL: 'debug' };

    const fileOnly = await loadConfig({ file, env: {} });
    const withEnv = await loadConfig({ file, env });
    const withFlags = await loadConfig({ file, env, overrides: { listen: '0.0.0.0:3000' } });

    expect([fileOnly.listen, fileOnly.log.level]).toEqual(['0.0.0.0:1000', 'warn']);
    expect([withEnv.listen, withEnv.log.level]).toEqual(['0.0.0.0:2000', 'debug']);
    expect([withFlags.listen, withFlags.log.level]).toEqual(['0.0.0.0:3000', 'debug']);
    expect(withFlags.dataDir).toBe('/from/file');
  });

  it('merges nested settings from each source instead of replacing the section', async () => {
    await writeFile(file, 'uploads:\n  expiry: 1h\n');

    const config = await loadConfig({
      file,
      env: { BERTH_UPLOADS_AUTOMATIC_MOUNT: 'false' },
      overrides: { uploads: { sweepInterval: '5m' } },
    });

    expect(config.uploads).toEqual({
      expiry: 3_600_000,
      sweepInterval: 300_000,
      automaticMount: false,
    });
  });

  it('reads typed values from the environment and ignores empty variables', async () => {
    const config = await loadConfig({
      env: {
        BERTH_LISTING_MAX_PAGE_SIZE: '25',
        BERTH_UPLOADS_AUTOMATIC_MOUNT: 'no',
        BERTH_MANIFESTS_MAX_SIZE: '8192',
        BERTH_DATA_DIR: '',
        BERTH_UNRELATED: 'ignored',
      },
    });

    expect(config.listing.maxPageSize).toBe(25);
    expect(config.uploads.automaticMount).toBe(false);
    expect(config.manifests.maxSize).toBe(8192);
    expect(config.dataDir).toBe('./data');
  });

  it.each([
    ['1', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['False', false],
    ['no', false],
    ['OFF', false],
  ])('reads the boolean %s from the environment as %s', async (raw, expected) => {
    const config = await loadConfig({ env: { BERTH_UPLOADS_AUTOMATIC_MOUNT: raw } });

    expect(config.uploads.automaticMount).toBe(expected);
  });

  it('treats an empty file as no settings', async () => {
    await writeFile(file, '# nothing yet\n');

    expect(await readConfigFile(file)).toEqual({});
    expect((await loadConfig({ file, env: {} })).listen).toBe('127.0.0.1:5000');
  });

  it('names the file when it cannot be read', async () => {
    const missing = path.join(dir, 'missing.yaml');

    await expect(loadConfig({ file: missing, env: {} })).rejects.toThrow(
      new RegExp(`cannot read config file ${escape(missing)}`),
    );
  });

  it('refuses a file that is not YAML', async () => {
    await writeFile(file, 'listen: [unclosed\n');

    await expect(readConfigFile(file)).rejects.toThrow(/is not valid YAML/);
  });

  it('refuses a file that is not a mapping', async () => {
    await writeFile(file, '- listen\n- dataDir\n');

    await expect(readConfigFile(file)).rejects.toThrow(/must hold a mapping of settings/);
  });

  it('names the file and the setting when a value in it is invalid', async () => {
    await writeFile(file, 'uploads:\n  expiry: whenever\n');

    const error = await loadConfig({ file, env: {} }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`invalid ${file}`);
    expect((error as ConfigError).problems).toEqual([
      'uploads.expiry: "whenever" is not a duration such as 30s, 10m, 24h or 7d',
    ]);
  });
});

describe('validation errors', () => {
  it('names an unknown top-level setting', () => {
    expect(problemsOf({ listn: '0.0.0.0:5000' })).toEqual([
      '(top level): unknown setting(s) listn',
    ]);
  });

  it('names an unknown nested setting with its section', () => {
    const problems = problemsOf({
      uploads: { expiri: '1h' },
      storage: { filesystem: { rot: '/x' } },
    });

    expect(problems.sort()).toEqual([
      'storage.filesystem: unknown setting(s) rot',
      'uploads: unknown setting(s) expiri',
    ]);
  });

  it.each([
    ['uploads.expiry', { uploads: { expiry: 'soon' } }, '"soon" is not a duration'],
    [
      'uploads.sweepInterval',
      { uploads: { sweepInterval: '10 minutes' } },
      '"10 minutes" is not a duration',
    ],
    ['http.shutdownTimeout', { http: { shutdownTimeout: -1 } }, '"-1" is not a duration'],
    ['manifests.maxSize', { manifests: { maxSize: '4 lots' } }, '"4 lots" is not a size'],
    ['uploads.sweepInterval', { uploads: { sweepInterval: '30d' } }, 'must be between 1s and 24d'],
    ['uploads.sweepInterval', { uploads: { sweepInterval: 0 } }, 'must be between 1s and 24d'],
    ['http.shutdownTimeout', { http: { shutdownTimeout: '30d' } }, 'must be between 1s and 24d'],
    ['manifests.maxSize', { manifests: { maxSize: 0 } }, 'must be at least 4KiB'],
    ['manifests.cacheSize', { manifests: { cacheSize: 1.5 } }, '"1.5" is not a size'],
  ])('explains a bad %s', (setting, input, message) => {
    const [problem] = problemsOf(input);

    expect(problem).toContain(`${setting}: ${message}`);
  });

  it.each(['localhost', '5000', '127.0.0.1:', '127.0.0.1:65536', 'a:b:5000', '::1:5000'])(
    'refuses the listen address %j with an example of a good one',
    (listen) => {
      expect(problemsOf({ listen })).toEqual([
        'listen: must be HOST:PORT, for example 127.0.0.1:5000 or [::1]:5000',
      ]);
    },
  );

  it.each([
    ['127.0.0.1:5000', '127.0.0.1', 5000],
    ['[::1]:5000', '::1', 5000],
    ['localhost:0', 'localhost', 0],
    [':8080', '0.0.0.0', 8080],
  ])('accepts the listen address %j', (listen, host, port) => {
    expect(listenAddress(validateConfig({ listen }))).toEqual({ host, port });
  });

  it('refuses a TLS certificate without a key, and a key without a certificate', () => {
    const problem = 'tls: tls.cert and tls.key must be given together';

    expect(problemsOf({ tls: { cert: '/etc/berth/cert.pem' } })).toEqual([problem]);
    expect(problemsOf({ tls: { key: '/etc/berth/key.pem' } })).toEqual([problem]);
    expect(validateConfig({ tls: { cert: 'c.pem', key: 'k.pem' } }).tls).toEqual({
      cert: 'c.pem',
      key: 'k.pem',
    });
  });

  it('lists the allowed log levels', () => {
    const [problem] = problemsOf({ log: { level: 'loud' } });

    expect(problem).toMatch(/^log\.level: .*"debug"/);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ listen: 'x', log: { level: 'loud' }, bogus: 1 })).toHaveLength(3);
  });

  it('names the environment variable that holds a bad value', async () => {
    const error = await loadConfig({
      env: { BERTH_UPLOADS_AUTOMATIC_MOUNT: 'maybe', BERTH_LISTING_MAX_PAGE_SIZE: '-1' },
    }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'BERTH_UPLOADS_AUTOMATIC_MOUNT="maybe" is not a valid boolean',
      'BERTH_LISTING_MAX_PAGE_SIZE="-1" is not a valid integer',
    ]);
  });
});

function problemsOf(input: unknown): string[] {
  try {
    validateConfig(input);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
