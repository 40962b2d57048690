/**
 * Storage limits, as the registry sees them: how many more bytes a repository may take. The
 * registry asks before storing anything; src/auth/quotas.ts answers from project settings.
 */
export interface QuotaGuard {
  /** Bytes `repository` may still add; Infinity when it has no limit. */
  remaining(repository: string): Promise<number>;
  /** Called after content was added, so that crossing a warning threshold can be reported. */
  added(repository: string): void;
}

export const noQuota: QuotaGuard = {
  remaining: async () => Number.POSITIVE_INFINITY,
  added: () => undefined,
};
