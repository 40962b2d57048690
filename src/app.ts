import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { listenAddress, resolvedPaths, type Config } from './config/index.js';
import { buildServer } from './http/server.js';
import { createLogger } from './http/logging.js';
import { openMetadataStore, type MetadataStore } from './metadata/index.js';
import { Registry } from './registry/index.js';
import { openBlobStore, type BlobStore } from './storage/index.js';

export interface Berth {
  server: FastifyInstance;
  registry: Registry;
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

  const registry = new Registry(meta, store, {
    uploadExpiryMs: config.uploads.expiry,
    uploadSweepIntervalMs: config.uploads.sweepInterval,
    automaticMount: config.uploads.automaticMount,
    manifestMaxBytes: config.manifests.maxSize,
    manifestCacheBytes: config.manifests.cacheSize,
    maxPageSize: config.listing.maxPageSize,
    pullFlushIntervalMs: 5_000,
    onBackgroundError: (err, task) => logger.error({ err, task }, 'failed to run background task'),
  });
  const server = buildServer({
    registry,
    meta,
    logger,
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
  registry.start();
  const url = boundUrl(server, Boolean(config.tls.cert));
  logger.info(
    { url, dataDir: config.dataDir, blobs: paths.blobRoot, database: paths.databasePath },
    'berth listening',
  );

  return {
    server,
    registry,
    logger,
    url,
    async close() {
      // A keep-alive connection still answering when close begins turns idle only afterwards,
      // and Node would then hold it open for the whole keep-alive timeout.
      const idleSweep = setInterval(() => server.server.closeIdleConnections(), 50);
      await server.close().finally(() => clearInterval(idleSweep));
      await registry.stop();
      await meta.close();
      await store.close();
    },
  };
}

function boundUrl(server: FastifyInstance, tls: boolean): string {
  const address = server.server.address();
  if (!address || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
