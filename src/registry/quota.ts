/**
 * Storage limits, as the registry sees them: how many more bytes a repository may take. The
 * registry asks before storing anything; src/auth/quotas.ts answers from project settings.
 */
export interface QuotaGuard {
  /** Bytes `repository` may still add; Infinity when it has no limit. */
  remaining(repository: string): Promise<number>;
  /**
   * Starts counting bytes being written into `repository` against its limit, so that uploads
   * running side by side cannot each take what is left; undefined when there is no limit.
   */
  hold(repository: string): Promise<QuotaHold | undefined>;
  /**
   * Whether `digest` already counts towards the limit of `repository`'s project: a re-tag, a
   * second repository's copy of a manifest, or a mount within the project adds no bytes, and
   * is allowed even when the project is at its limit.
   */
  counts(repository: string, kind: 'blob' | 'manifest', digest: string): Promise<boolean>;
  /** Called after content was added, so that crossing a warning threshold can be reported. */
  added(repository: string): void;
}

/** Bytes an upload in progress holds against a quota until it ends. */
export interface QuotaHold {
  /** Holds `bytes` more; false (holding nothing more) when that would pass the limit. */
  add(bytes: number): boolean;
  /** What is left for this upload: the limit minus usage and every hold, its own included. */
  remaining(): number;
  /**
   * Ends the hold. `stored`: its bytes are now part of the project's usage (the blob was
   * committed and linked), so holds begun before that must count them from now on.
   */
  release(stored?: boolean): void;
}

export const noQuota: QuotaGuard = {
  remaining: async () => Number.POSITIVE_INFINITY,
  hold: async () => undefined,
  counts: async () => false,
  added: () => undefined,
};
