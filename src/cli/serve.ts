import { startBerth } from '../app.js';
import { ConfigError, loadConfig, setPath, unknownEnvironment } from '../config/index.js';

interface ServeFlags {
  config?: string;
  listen?: string;
  data?: string;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
}

/** `berth serve`: run until SIGINT or SIGTERM, then finish in-flight requests and exit. */
export async function serveCommand(flags: ServeFlags): Promise<void> {
  const config = await loadConfig({ file: flags.config, overrides: overridesFrom(flags) }).catch(
    exitOnConfigError,
  );
  const berth = await startBerth(config).catch((err: unknown) =>
    exitOnStartFailure(err, config.listen),
  );
  for (const name of unknownEnvironment(process.env)) {
    berth.logger.warn({ variable: name }, 'ignoring environment variable that names no setting');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    berth.logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      berth.logger.error(
        { timeoutMs: config.http.shutdownTimeout },
        'failed to finish requests before the shutdown timeout',
      );
      process.exit(1);
    }, config.http.shutdownTimeout);
    deadline.unref();

    berth.close().then(
      () => {
        berth.logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        berth.logger.error({ err }, 'failed to shut down cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function overridesFrom(flags: ServeFlags): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  if (flags.listen) setPath(overrides, 'listen', flags.listen);
  if (flags.data) setPath(overrides, 'dataDir', flags.data);
  if (flags.tlsCert) setPath(overrides, 'tls.cert', flags.tlsCert);
  if (flags.tlsKey) setPath(overrides, 'tls.key', flags.tlsKey);
  if (flags.logLevel) setPath(overrides, 'log.level', flags.logLevel);

  return overrides;
}

/** Start-up failures a user can fix get one line naming the cause, not a stack trace. */
function exitOnStartFailure(err: unknown, listen: string): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  const hints: Record<string, string> = {
    EADDRINUSE: `${listen} is already in use; choose another address with --listen HOST:PORT`,
    EADDRNOTAVAIL: `${listen} is not an address of this machine; choose another with --listen`,
    ENOTFOUND: `cannot resolve the host in ${listen}`,
  };

  process.stderr.write(`berth: failed to start: ${(code && hints[code]) ?? message}\n`);
  process.exit(1);
}

export function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`berth: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
