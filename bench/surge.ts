// The morning surge: every developer's workspace starts at once and pulls the same image.
import { createHash } from 'node:crypto';

import { OCI_MANIFEST, type PushedImage } from './push.js';
import { elapsedMs, GiB, MiB, percentile } from './stats.js';
import { WireConnection } from './wire.js';

export interface SurgeOptions {
  clients: number;
  /** Layers each client downloads at once, on as many connections (Docker's default is 3). */
  parallelLayers: number;
}

export interface SurgeResult {
  clients: number;
  imageBytes: number;
  totalSeconds: number;
  /** Time to first byte of every request of the surge (manifest, config and layers). */
  p50TtfbMs: number;
  p99TtfbMs: number;
  /** Slowest client, from the start of the surge to its last layer byte. */
  slowestClientSeconds: number;
  /** Clients that failed: an error status, a dropped connection or a short body. */
  errors: number;
  firstError?: string;
  aggregateMiBps: number;
  cpuSecondsPerGiB: number;
}

/**
 * `clients` clients start in the same instant; each fetches the manifest by tag and the config,
 * then the layers, `parallelLayers` at a time, each on its own connection. Failures are counted,
 * not thrown: the point is how many clients a surge leaves without their image. The first client
 * checks the digest of every layer it receives.
 */
export async function morningSurge(
  base: string,
  repo: string,
  tag: string,
  image: PushedImage,
  options: SurgeOptions,
  serverCpu: () => number,
): Promise<SurgeResult> {
  const ttfb: number[] = [];
  const clientSeconds: number[] = [];
  let errors = 0;
  let firstError: string | undefined;

  const cpuBefore = serverCpu();
  const start = process.hrtime.bigint();
  const client = async (index: number) => {
    const connections = Array.from({ length: options.parallelLayers }, () =>
      WireConnection.forBase(base, 64 * 1024),
    );
    try {
      await pullImage(connections, repo, tag, image, ttfb, index === 0);
      clientSeconds.push(elapsedMs(start) / 1000);
    } catch (err) {
      errors += 1;
      firstError ??= err instanceof Error ? err.message : String(err);
    } finally {
      for (const connection of connections) connection.close();
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  const totalSeconds = elapsedMs(start) / 1000;

  const imageBytes = image.config.size + image.layers.reduce((n, l) => n + l.size, 0);
  const movedBytes = imageBytes * (options.clients - errors);

  return {
    clients: options.clients,
    imageBytes,
    totalSeconds,
    p50TtfbMs: percentile(ttfb, 50),
    p99TtfbMs: percentile(ttfb, 99),
    slowestClientSeconds: Math.max(0, ...clientSeconds),
    errors,
    firstError,
    aggregateMiBps: movedBytes / MiB / totalSeconds,
    cpuSecondsPerGiB: (serverCpu() - cpuBefore) / (movedBytes / GiB),
  };
}

async function pullImage(
  connections: WireConnection[],
  repo: string,
  tag: string,
  image: PushedImage,
  ttfb: number[],
  verify: boolean,
): Promise<void> {
  const first = connections[0]!;
  const manifest = await first.expect(200, {
    path: `/v2/${repo}/manifests/${tag}`,
    headers: { accept: OCI_MANIFEST },
    keepBody: true,
  });
  ttfb.push(manifest.ttfbMs);
  if (!manifest.body?.equals(image.manifest))
    throw new Error('the manifest differs from the one pushed');

  const config = await first.expect(200, { path: `/v2/${repo}/blobs/${image.config.digest}` });
  ttfb.push(config.ttfbMs);

  let next = 0;
  const download = async (connection: WireConnection) => {
    while (next < image.layers.length) {
      const layer = image.layers[next++]!;
      const hash = verify ? createHash('sha256') : undefined;
      const res = await connection.expect(200, {
        path: `/v2/${repo}/blobs/${layer.digest}`,
        onBody: hash ? (piece) => hash.update(piece) : undefined,
      });
      ttfb.push(res.ttfbMs);
      if (res.bytes !== layer.size) throw new Error(`layer ${layer.digest}: ${res.bytes} bytes`);
      if (hash && `sha256:${hash.digest('hex')}` !== layer.digest) {
        throw new Error(`layer ${layer.digest} arrived with other content`);
      }
    }
  };
  await Promise.all(connections.map(download));
}
