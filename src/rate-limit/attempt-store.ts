/** Injection token of the AttemptStore in use. */
export const ATTEMPT_STORE = Symbol('ATTEMPT_STORE');

export interface Window {
  count: number;
  /** When the window ends and the count starts again (Unix ms). */
  resetAt: number;
}

/**
 * Counters in fixed time windows, for rate limits. The default keeps them in this process's
 * memory: right for one instance. Several instances need one shared store (Redis:
 * `INCR key` then `PEXPIRE key <window> NX`; `DECR key`), provided under ATTEMPT_STORE.
 */
export interface AttemptStore {
  /** Counts one more for `key` and answers the window it is in. */
  increment(key: string, windowMs: number): Promise<Window>;
  /** Takes back one count of `key` (a call that turned out not to count). */
  decrement(key: string): Promise<void>;
}

/** Keys that name a client address: the first to go when the store is full. */
export const CLIENT_KEY_PREFIX = 'ip:';

/** At most this many keys in memory, so a flood of names or addresses cannot exhaust it. */
const MAX_KEYS = 100_000;

export class InMemoryAttemptStore implements AttemptStore {
  private readonly windows = new Map<string, Window>();

  async increment(key: string, windowMs: number): Promise<Window> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > MAX_KEYS) this.makeRoom(now);
    }
    window.count++;
    return { ...window };
  }

  async decrement(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count--;
  }

  /**
   * Ended windows go first, then the oldest client-address windows. A username's failures are
   * the last thing to forget: forgetting them would lift a lockout.
   */
  private makeRoom(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    for (const key of this.windows.keys()) {
      if (this.windows.size <= MAX_KEYS) return;
      if (key.startsWith(CLIENT_KEY_PREFIX)) this.windows.delete(key);
    }
    for (const key of this.windows.keys()) {
      if (this.windows.size <= MAX_KEYS) return;
      this.windows.delete(key);
    }
  }
}
