import type { Logger } from 'pino';
import type { AccountStore } from '../metadata/index.js';
import type { QuotaGuard, QuotaHold } from '../registry/index.js';
import type { AccessControl } from './access.js';
import type { Actor, AccountService } from './accounts.js';
import type { AuditLog } from './audit.js';
import { projectOf } from './registry-gate.js';

export interface QuotaDescription {
  limitBytes: number | null;
  usedBytes: number;
  warning: number;
}

/**
 * Per-project storage limits. Usage is computed from what the project's repositories link, so
 * it is right after deletes, failed pushes and cancelled uploads without any bookkeeping. Bytes
 * still being uploaded are held against the limit in memory while their request runs, so that
 * parallel uploads cannot each take what is left (on this node; see docs/access-control.md).
 */
export class QuotaService implements QuotaGuard {
  /** Projects currently above their warning threshold, so the event is raised once per crossing. */
  private readonly warned = new Set<string>();
  /** Bytes held by uploads in progress, by project. */
  private readonly held = new Map<string, number>();
  /**
   * Bytes holds have stored, by project, ever since the process started: a hold compares the
   * count at its start with the count now to learn what was stored after it read the usage.
   */
  private readonly stored = new Map<string, number>();

  constructor(
    private readonly store: AccountStore,
    private readonly access: AccessControl,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  async remaining(repository: string): Promise<number> {
    const project = await this.access.project(projectOf(repository));
    if (!project || project.quotaBytes === null) return Number.POSITIVE_INFINITY;

    const used = await this.store.projectUsage(project.name);
    return project.quotaBytes - used - (this.held.get(project.name) ?? 0);
  }

  async hold(repository: string): Promise<QuotaHold | undefined> {
    const project = await this.access.project(projectOf(repository));
    if (!project || project.quotaBytes === null) return undefined;

    const name = project.name;
    const storedBefore = this.stored.get(name) ?? 0;
    const limit = project.quotaBytes - (await this.store.projectUsage(name));
    // Bytes other holds stored since this one read the usage are not in `limit`.
    const taken = () => (this.held.get(name) ?? 0) + (this.stored.get(name) ?? 0) - storedBefore;
    let mine = 0;
    const change = (bytes: number) => {
      mine += bytes;
      const total = (this.held.get(name) ?? 0) + bytes;
      if (total === 0) this.held.delete(name);
      else this.held.set(name, total);
    };

    return {
      add: (bytes) => {
        if (taken() + bytes > limit) return false;
        change(bytes);
        return true;
      },
      remaining: () => limit - taken(),
      release: (stored = false) => {
        if (stored) this.stored.set(name, (this.stored.get(name) ?? 0) + mine);
        change(-mine);
      },
    };
  }

  async counts(repository: string, kind: 'blob' | 'manifest', digest: string): Promise<boolean> {
    return this.store.projectCounts(projectOf(repository), kind, digest);
  }

  added(repository: string): void {
    void this.checkWarning(projectOf(repository)).catch((err: unknown) =>
      this.logger.error({ err, repository }, 'failed to check the quota warning threshold'),
    );
  }

  async describe(actor: Actor, accounts: AccountService, name: string): Promise<QuotaDescription> {
    const project = await accounts.requireProject(actor, name, 'read-quota');

    return {
      limitBytes: project.quotaBytes,
      usedBytes: await this.store.projectUsage(name),
      warning: project.quotaWarning,
    };
  }

  private async checkWarning(name: string): Promise<void> {
    const project = await this.access.project(name);
    if (!project || project.quotaBytes === null || project.quotaBytes === 0) return;

    const used = await this.store.projectUsage(name);
    const above = used >= project.quotaWarning * project.quotaBytes;
    if (!above) {
      this.warned.delete(name);
      return;
    }
    if (this.warned.has(name)) return;

    this.warned.add(name);
    const detail = {
      usedBytes: used,
      limitBytes: project.quotaBytes,
      warning: project.quotaWarning,
    };
    this.logger.warn(
      { project: name, ...detail },
      'project storage passed its quota warning threshold',
    );
    this.audit.record('system', { action: 'quota.warning', project: name, resource: name, detail });
  }
}
