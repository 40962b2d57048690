import type { MetadataStore, PullRecord } from '../metadata/index.js';

/**
 * Collects "last pulled" times in memory and writes them in batches, so a pull costs no
 * database write on the request path. A crash loses at most one interval of pull times, which
 * retention and garbage collection tolerate: they act on days, not seconds.
 */
export class PullRecorder {
  private pending = new Map<string, PullRecord>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly meta: MetadataStore,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  record(repositoryId: number, kind: PullRecord['kind'], key: string): void {
    this.pending.set(`${repositoryId} ${kind} ${key}`, { repositoryId, kind, key, at: Date.now() });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();

    await this.meta.recordPulls(batch).catch(this.onError);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
