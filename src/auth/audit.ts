import type { AccountStore, AuditEvent, AuditFilter } from '../metadata/index.js';
import { robotPrefix } from './authenticator.js';
import { principalName, type Principal } from './principal.js';

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  action: string;
  project?: string | null;
  /** What was acted on: a repository@digest, a username, a robot name, … */
  resource?: string | null;
  result?: AuditResult;
  remoteAddr?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditOptions {
  /** Events older than this are deleted by the sweep; 0 keeps them forever. */
  retentionMs: number;
  /** Whether pulls are recorded too (one event per manifest GET). */
  pulls: boolean;
}

/** Events wait at most this long before being written in one batch. */
const flushDelayMs = 200;

/**
 * The audit log: who did what, to what, when, from where, and how it ended. Writes are batched
 * briefly so that a burst of pulls costs one transaction, and never fail the request that caused
 * them: a lost audit write is logged as a server error instead.
 */
export class AuditLog {
  private pending: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly accounts: AccountStore,
    readonly options: AuditOptions,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** `actor` is who acted, or the name of whoever tried (a failed sign-in) or `system`. */
  record(actor: Principal | string, entry: AuditEntry, at = Date.now()): void {
    const principal = typeof actor === 'string' ? undefined : actor;
    this.pending.push({
      id: 0,
      at,
      actor: principal ? principalName(principal) : (actor as string),
      actorKind: principal?.kind ?? kindOfName(actor as string),
      action: entry.action,
      project: entry.project ?? null,
      resource: entry.resource ?? null,
      result: entry.result ?? 'success',
      remoteAddr: entry.remoteAddr ?? null,
      detail: entry.detail ?? null,
    });
    this.timer ??= setTimeout(() => void this.flush(), flushDelayMs);
  }

  /** Writes what is pending; queries call it first so they see their own writes. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];

    this.flushing = this.flushing.then(async () => {
      try {
        await this.accounts.insertAuditEvents(batch);
      } catch (err) {
        this.onError(err);
      }
    });
    await this.flushing;
  }

  async query(filter: AuditFilter): Promise<AuditEvent[]> {
    await this.flush();
    return this.accounts.queryAuditEvents(filter);
  }

  /** Deletes events past the retention period; returns how many. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.options.retentionMs <= 0) return 0;
    return this.accounts.deleteAuditEventsBefore(now - this.options.retentionMs);
  }
}

/** The kind of a bare name: Berth's own events are `system`'s, unsigned requests `anonymous`'s. */
function kindOfName(name: string): string {
  if (name === 'system' || name === 'anonymous') return name;

  return name.startsWith(robotPrefix) ? 'robot' : 'user';
}
