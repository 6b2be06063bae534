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
 * `INCR key` then `PEXPIRE key <window> NX`), provided under ATTEMPT_STORE.
 */
export interface AttemptStore {
  /** Counts one more for `key` and answers the window it is in. */
  increment(key: string, windowMs: number): Promise<Window>;
  /** The current window of `key`, if one is open. */
  peek(key: string): Promise<Window | undefined>;
}

/** At most this many keys: past it the oldest go first (a flood of names cannot eat memory). */
const MAX_KEYS = 100_000;

export class InMemoryAttemptStore implements AttemptStore {
  private readonly windows = new Map<string, Window>();

  async increment(key: string, windowMs: number): Promise<Window> {
    const now = Date.now();
    let window = this.current(key, now);
    if (!window) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
      this.evictOldest();
    }
    window.count++;
    return { ...window };
  }

  async peek(key: string): Promise<Window | undefined> {
    const window = this.current(key, Date.now());
    return window && { ...window };
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private evictOldest(): void {
    for (const key of this.windows.keys()) {
      if (this.windows.size <= MAX_KEYS) return;
      this.windows.delete(key);
    }
  }
}
