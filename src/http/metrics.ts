import {
  Counter,
  Gauge,
  Histogram,
  Registry as MetricsRegistry,
  collectDefaultMetrics,
} from 'prom-client';

export interface HttpMetrics {
  registry: MetricsRegistry;
  /** `status` is the HTTP status, or "aborted" when the client left before the response ended. */
  observeRequest(route: string, method: string, status: number | 'aborted', seconds: number): void;
  bytesIn: Counter;
  bytesOut: Counter;
}

/**
 * Prometheus metrics. Route labels are the endpoint kind (manifest, blob, upload, …), never the
 * URL, so repository names cannot blow up the series count.
 */
export function createMetrics(
  uploadsInProgress: () => Promise<number>,
  scanJobs?: () => Promise<Record<string, number>>,
): HttpMetrics {
  const registry = new MetricsRegistry();
  collectDefaultMetrics({ register: registry, prefix: 'berth_' });

  const requests = new Counter({
    name: 'berth_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'berth_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const bytesIn = new Counter({
    name: 'berth_http_request_bytes_total',
    help: 'Request body bytes received',
    registers: [registry],
  });
  const bytesOut = new Counter({
    name: 'berth_http_response_bytes_total',
    help: 'Response body bytes sent',
    registers: [registry],
  });
  new Gauge({
    name: 'berth_uploads_in_progress',
    help: 'Open blob upload sessions',
    registers: [registry],
    async collect() {
      this.set(await uploadsInProgress());
    },
  });

  if (scanJobs) {
    new Gauge({
      name: 'berth_scan_jobs',
      help: 'Image scans by status (queued, running, done, failed), across every node',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        for (const [status, count] of Object.entries(await scanJobs())) this.set({ status }, count);
      },
    });
  }

  return {
    registry,
    bytesIn,
    bytesOut,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      duration.observe({ route, method }, seconds);
    },
  };
}
