import type { FastifyInstance } from 'fastify';
import { createScanning, type ScanService, type VulnerabilitiesFound } from './analysis/index.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createAuth,
  LdapSource,
  projectOf,
  type Auth,
  type OidcSettings,
  type PasswordSource,
} from './auth/index.js';
import type { Logger } from 'pino';
import { listenAddress, resolvedPaths, type Config } from './config/index.js';
import { buildServer } from './http/server.js';
import { createLogger } from './http/logging.js';
import { openMetadataStore, type MetadataStore } from './metadata/index.js';
import { Registry } from './registry/index.js';
import { openBlobStore, type BlobStore } from './storage/index.js';

/**
 * A scan found critical or high vulnerabilities new to a repository: a warning in the log and
 * an event in the audit log, where webhooks and the portal pick events up.
 */
function announce(event: VulnerabilitiesFound, logger: Logger, auth: Auth | undefined): void {
  const { repository, digest, ...detail } = event;
  logger.warn({ repository, digest, ...detail }, 'scan found new critical or high vulnerabilities');
  auth?.audit.record('system', {
    action: 'scan.vulnerabilities',
    project: projectOf(repository),
    resource: `${repository}@${digest}`,
    detail,
  });
}

/** Secrets that are never part of the configuration (BERTH_ADMIN_PASSWORD). */
export interface StartSecrets {
  adminPassword?: string;
}

export interface Berth {
  server: FastifyInstance;
  registry: Registry;
  /** Accounts, tokens and permissions; undefined when authentication is off. */
  auth?: Auth;
  /** Image scanning; undefined when it is turned off. */
  scans?: ScanService;
  logger: Logger;
  /** The address actually bound, e.g. after asking for port 0. */
  url: string;
  close(): Promise<void>;
}

/**
 * The one composition function: opens storage and metadata, builds the domain services and the
 * HTTP server, and starts listening. Everything is passed down from here; nothing below reads
 * configuration on its own.
 */
export async function startBerth(
  config: Config,
  logger = createLogger(config.log.level),
  secrets: StartSecrets = { adminPassword: process.env.BERTH_ADMIN_PASSWORD || undefined },
): Promise<Berth> {
  const paths = resolvedPaths(config);
  const store: BlobStore = await openBlobStore({
    driver: config.storage.driver,
    root: paths.blobRoot,
  });
  const meta: MetadataStore = await openMetadataStore({
    driver: config.database.driver,
    path: paths.databasePath,
  });

  const auth = config.auth.enabled ? await startAuth(config, meta, logger) : undefined;

  const registry = new Registry(meta, store, {
    uploadExpiryMs: config.uploads.expiry,
    uploadSweepIntervalMs: config.uploads.sweepInterval,
    automaticMount: config.uploads.automaticMount,
    manifestMaxBytes: config.manifests.maxSize,
    manifestCacheBytes: config.manifests.cacheSize,
    maxPageSize: config.listing.maxPageSize,
    pullFlushIntervalMs: 5_000,
    quota: auth?.quotas,
    onBackgroundError: (err, task) => logger.error({ err, task }, 'failed to run background task'),
  });
  const scans = config.scanning.enabled
    ? createScanning({
        registry,
        advisoryDatabase: paths.advisoryDatabasePath,
        settings: config.scanning,
        version: packageVersion(),
        logger,
        onVulnerabilitiesFound: (event) => announce(event, logger, auth),
      })
    : undefined;
  const server = buildServer({
    registry,
    meta,
    logger,
    auth,
    scans,
    realm: config.auth.realm,
    publicSettings: publicSettings(config),
    version: packageVersion(),
    tls:
      config.tls.cert && config.tls.key
        ? { cert: config.tls.cert, key: config.tls.key }
        : undefined,
    keepAliveTimeoutMs: config.http.keepAliveTimeout,
    idleTimeoutMs: config.http.idleTimeout,
  });

  const { host, port } = listenAddress(config);
  // Fastify logs each bound address itself; keep its line static, the address is in ours below.
  await server.listen({ host, port, listenTextResolver: () => 'http server bound' });
  if (auth) await bootstrapAdmin(auth, logger, secrets.adminPassword);
  registry.start();
  auth?.start();
  scans?.start();
  const url = boundUrl(server, Boolean(config.tls.cert));
  logger.info(
    { url, dataDir: config.dataDir, blobs: paths.blobRoot, database: paths.databasePath },
    'berth listening',
  );

  return {
    server,
    registry,
    auth,
    scans,
    logger,
    url,
    async close() {
      // A keep-alive connection still answering when close begins turns idle only afterwards,
      // and Node would then hold it open for the whole keep-alive timeout.
      const idleSweep = setInterval(() => server.server.closeIdleConnections(), 50);
      await server.close().finally(() => clearInterval(idleSweep));
      await scans?.stop();
      await registry.stop();
      await auth?.stop();
      await meta.close();
      await store.close();
    },
  };
}

/** Accounts, identity sources and token keys. */
async function startAuth(config: Config, meta: MetadataStore, logger: Logger): Promise<Auth> {
  const sources = passwordSources(config, logger);
  const oidc = oidcSettings(config);
  const auth = createAuth(meta, config.auth, config.audit, logger, sources, oidc);
  if (sources.length > 0 || oidc) {
    logger.info(
      { ldap: sources.length > 0 ? config.auth.ldap.url : undefined, oidc: oidc?.issuer },
      'identity sources enabled',
    );
  }

  await auth.keys.signingKey();
  return auth;
}

/**
 * On first start with no accounts, creates `admin` with the password from BERTH_ADMIN_PASSWORD,
 * or a generated one shown once on stderr: never through the log, which may be shipped
 * elsewhere. Called once the server listens, so that a start that fails (the port is taken)
 * does not spend the one showing of a generated password.
 */
async function bootstrapAdmin(
  auth: Auth,
  logger: Logger,
  adminPassword: string | undefined,
): Promise<void> {
  const generated = await auth.accounts.bootstrapAdmin(adminPassword);
  if (!generated) return;

  process.stderr.write(
    `\nCreated the first account: admin / ${generated}\n` +
      'This password is shown only once. Sign in and change it (berth user set-password admin).\n\n',
  );
  logger.warn({ user: 'admin' }, 'created the admin account with a generated password');
}

/** Directories that check passwords; the schema made sure an enabled one is complete. */
function passwordSources(config: Config, logger: Logger): PasswordSource[] {
  const { enabled, url, userBase, ...ldap } = config.auth.ldap;

  return enabled && url && userBase ? [new LdapSource({ ...ldap, url, userBase }, logger)] : [];
}

function oidcSettings(config: Config): OidcSettings | undefined {
  const { enabled, issuer, clientId, ...oidc } = config.auth.oidc;

  return enabled && issuer && clientId ? { ...oidc, issuer, clientId } : undefined;
}

/**
 * What GET /api/v1/settings shows: the configuration minus paths to key material. Credentials
 * (auth.ldap.bindPassword, auth.oidc.clientSecret) are Secrets, which serialise as [redacted].
 */
function publicSettings(config: Config): Record<string, unknown> {
  const { tls, ...rest } = config;
  return { ...rest, tls: { enabled: Boolean(tls.cert) } };
}

function packageVersion(): string {
  const file = fileURLToPath(new URL('../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function boundUrl(server: FastifyInstance, tls: boolean): string {
  const address = server.server.address();
  if (!address || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
