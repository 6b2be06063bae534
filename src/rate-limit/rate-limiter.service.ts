import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { TooManyRequestsError } from '../errors/app-errors';
import { ATTEMPT_STORE, AttemptStore, Window } from './attempt-store';
import { RateLimitKind } from './rate-limit.decorator';

export interface RateLimits {
  /** Calls of limited mutations from one client IP, per window (a burst limit). */
  ipMax: number;
  ipWindowSeconds: number;
  /** Failed attempts (wrong password or code) on one username, per window (OWASP ASVS: at most 100 an hour). */
  accountFailuresMax: number;
  /** Codes sent to one username (reset, resend), per window. */
  accountSendsMax: number;
  accountWindowSeconds: number;
}

@Injectable()
export class RateLimiter {
  private readonly limits: RateLimits;

  constructor(
    @Inject(ATTEMPT_STORE) private readonly store: AttemptStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = config.rateLimits;
  }

  /** Counts this call, and refuses it when the client or the account is over its limit. */
  async beforeCall(kind: RateLimitKind, ip: string, username: string | undefined): Promise<void> {
    const { ipMax, ipWindowSeconds, accountFailuresMax, accountSendsMax, accountWindowSeconds } = this.limits;
    refuseOver(await this.store.increment(`ip:${ip}`, ipWindowSeconds * 1000), ipMax);
    if (username === undefined) return;
    if (kind === 'send') {
      refuseOver(
        await this.store.increment(accountKey('send', username), accountWindowSeconds * 1000),
        accountSendsMax,
      );
    } else {
      const failures = await this.store.peek(accountKey('fail', username));
      if (failures) refuseOver(failures, accountFailuresMax - 1);
    }
  }

  /** A wrong password or code for `username`. */
  async failed(username: string): Promise<void> {
    await this.store.increment(accountKey('fail', username), this.limits.accountWindowSeconds * 1000);
  }
}

// Usernames may be case-insensitive in the pool: "Alice" and "alice" share one count.
function accountKey(kind: string, username: string): string {
  return `${kind}:${username.toLowerCase()}`;
}

function refuseOver(window: Window, max: number): void {
  if (window.count <= max) return;
  const seconds = Math.max(1, Math.ceil((window.resetAt - Date.now()) / 1000));
  throw new TooManyRequestsError(`Too many attempts: try again in ${seconds} seconds`, seconds);
}
