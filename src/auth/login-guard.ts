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

/**
 * Slows down, then locks, password guessing against one account. Counting per account (not per
 * address) stops a distributed guess; the price, an attacker able to lock a known name for a
 * while, is the usual one and is documented. Robots are not guarded: their secrets are random.
 */
export class LoginGuard {
  constructor(
    private readonly accounts: AccountStore,
    private readonly options: LoginGuardOptions,
  ) {}

  /** Throws while the account is locked; otherwise waits as long as its failures deserve. */
  async beforeAttempt(account: string, now = Date.now()): Promise<void> {
    const failure = await this.accounts.getLoginFailure(key(account));
    if (!failure) return;

    if (failure.lockedUntil !== null && failure.lockedUntil > now) {
      const seconds = Math.ceil((failure.lockedUntil - now) / 1000);
      throw new AuthError(
        'locked',
        'too many failed sign-ins; the account is locked for now',
        seconds,
      );
    }
    const excess = failure.failures - this.options.slowAfter;
    if (excess > 0 && now - failure.firstFailedAt < this.options.windowMs) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(maxDelayMs, excess * delayPerFailureMs)),
      );
    }
  }

  async failed(account: string, now = Date.now()): Promise<boolean> {
    const previous = await this.accounts.getLoginFailure(key(account));
    const fresh = !previous || now - previous.firstFailedAt >= this.options.windowMs;
    const failures = fresh ? 1 : previous.failures + 1;
    const locked = failures >= this.options.lockAfter;

    await this.accounts.putLoginFailure(key(account), {
      failures: locked ? 0 : failures,
      firstFailedAt: fresh || locked ? now : previous.firstFailedAt,
      lockedUntil: locked ? now + this.options.lockMs : null,
    });
    return locked;
  }

  async succeeded(account: string): Promise<void> {
    await this.accounts.clearLoginFailures(key(account));
  }
}

function key(account: string): string {
  return account.toLowerCase();
}
