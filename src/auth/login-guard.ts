import type { AccountStore } from '../metadata/index.js';
import { AuthError } from './errors.js';

export interface LoginGuardOptions {
  /** Failures after which each further attempt is answered more slowly. */
  slowAfter: number;
  /** Failures within `windowMs` after which the account is locked for `lockMs`. */
  lockAfter: number;
  windowMs: number;
  lockMs: number;
}

const delayPerFailureMs = 250;
const maxDelayMs = 3_000;
/** How often records of failures that no longer count are deleted. */
const pruneEveryMs = 60_000;

/**
 * Slows down, then locks, password guessing against one account. Counting per account (not per
 * address) stops a distributed guess; the price, an attacker able to lock a known name for a
 * while, is the usual one and is documented. Robots are not guarded: their secrets are random.
 *
 * Attempts against one account run one at a time on each node: otherwise guesses sent in
 * parallel would all pass the lock check before any of them was counted.
 */
export class LoginGuard {
  private readonly inTurn = new Map<string, Promise<unknown>>();
  private prunedAt = 0;

  constructor(
    private readonly accounts: AccountStore,
    private readonly options: LoginGuardOptions,
  ) {}

  /**
   * Runs `check`, which proves a password for `account` and answers undefined when it is wrong,
   * after the account's earlier attempts on this node. A wrong password is counted, and refused
   * with `wrong` (or as locked, once it locks the account); a right one clears the count. An
   * error thrown by `check` (a disabled account) counts for nothing.
   */
  async attempt<T>(
    account: string,
    check: () => Promise<T | undefined>,
    wrong: () => AuthError,
  ): Promise<T> {
    return this.afterEarlierAttempts(key(account), async () => {
      await this.beforeAttempt(account);

      const result = await check();
      if (result === undefined) {
        const lockedFor = await this.failed(account);
        throw lockedFor === undefined ? wrong() : lockedError(lockedFor);
      }

      await this.accounts.clearLoginFailures(key(account));
      return result;
    });
  }

  /** Throws while the account is locked; otherwise waits as long as its failures deserve. */
  private async beforeAttempt(account: string, now = Date.now()): Promise<void> {
    const failure = await this.accounts.getLoginFailure(key(account));
    if (!failure) return;

    if (failure.lockedUntil !== null && failure.lockedUntil > now) {
      throw lockedError(Math.ceil((failure.lockedUntil - now) / 1000));
    }
    const excess = failure.failures - this.options.slowAfter;
    if (excess > 0 && now - failure.firstFailedAt < this.options.windowMs) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(maxDelayMs, excess * delayPerFailureMs)),
      );
    }
  }

  /** Counts a failure; answers the seconds of the lock it caused, if it caused one. */
  private async failed(account: string, now = Date.now()): Promise<number | undefined> {
    const previous = await this.accounts.getLoginFailure(key(account));
    const fresh = !previous || now - previous.firstFailedAt >= this.options.windowMs;
    const failures = fresh ? 1 : previous.failures + 1;
    const locked = failures >= this.options.lockAfter;

    await this.accounts.putLoginFailure(key(account), {
      failures: locked ? 0 : failures,
      firstFailedAt: fresh || locked ? now : previous.firstFailedAt,
      lockedUntil: locked ? now + this.options.lockMs : null,
    });
    await this.prune(now);

    return locked ? Math.ceil(this.options.lockMs / 1000) : undefined;
  }

  /**
   * Failures are recorded for any name tried, account or not (a guess must not tell which
   * names exist), so records that no longer count are deleted as they age.
   */
  private async prune(now: number): Promise<void> {
    if (now - this.prunedAt < pruneEveryMs) return;

    this.prunedAt = now;
    await this.accounts.pruneLoginFailures(now - this.options.windowMs, now);
  }

  private async afterEarlierAttempts<T>(account: string, attempt: () => Promise<T>): Promise<T> {
    const earlier = this.inTurn.get(account) ?? Promise.resolve();
    const mine = earlier.then(attempt, attempt);
    const settled = mine.catch(() => undefined);
    this.inTurn.set(account, settled);

    try {
      return await mine;
    } finally {
      if (this.inTurn.get(account) === settled) this.inTurn.delete(account);
    }
  }
}

function lockedError(seconds: number): AuthError {
  return new AuthError(
    'locked',
    'too many failed sign-ins; the account is locked for now',
    seconds,
  );
}

/** Names differing only in case are one account (see AccountService.createUser). */
function key(account: string): string {
  return account.toLowerCase();
}
