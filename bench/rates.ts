// Request rates: many clients asking for the same small thing back to back.
import { percentile } from './stats.js';
import { WireConnection, type WireRequest } from './wire.js';

export interface RateResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Server CPU milliseconds per request. */
  cpuMsPerRequest: number;
}

/**
 * `concurrency` clients, each on its own keep-alive connection, sending `request` back to back
 * for `seconds` after a one-second warm-up that is not counted. Latency is per request, from
 * writing it to the last byte of the answer.
 */
export async function requestRate(
  base: string,
  request: WireRequest,
  concurrency: number,
  seconds: number,
  serverCpu: () => number,
): Promise<RateResult> {
  const connections = Array.from({ length: concurrency }, () =>
    WireConnection.forBase(base, 64 * 1024),
  );
  const run = async (durationMs: number, latencies: number[]) => {
    const stopAt = Date.now() + durationMs;
    const client = async (connection: WireConnection) => {
      while (Date.now() < stopAt) {
        const res = await connection.expect(200, request);
        latencies.push(res.totalMs);
      }
    };
    await Promise.all(connections.map(client));
  };

  try {
    await run(1000, []);
    const latencies: number[] = [];
    const cpuBefore = serverCpu();
    const start = process.hrtime.bigint();
    await run(seconds * 1000, latencies);
    const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpuSeconds = serverCpu() - cpuBefore;

    return {
      requestsPerSecond: latencies.length / wallSeconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      requests: latencies.length,
      cpuMsPerRequest: (cpuSeconds * 1000) / latencies.length,
    };
  } finally {
    for (const connection of connections) connection.close();
  }
}
