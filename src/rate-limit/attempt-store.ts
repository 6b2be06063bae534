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

/**
 * At most this many keys, and this many bytes (estimated), in memory, so that a flood of names or
 * addresses cannot exhaust it. The limiter's keys are short (a hash of the name, an IP): the byte
 * bound is for a key that is not, so that the store's size never depends on what a client sent.
 */
const MAX_KEYS = 100_000;
const MAX_BYTES = 16 * 1024 * 1024;
// A Map entry and its Window object, beyond the key's characters (2 bytes each at worst).
const ENTRY_OVERHEAD_BYTES = 100;
const bytesOf = (key: string) => key.length * 2 + ENTRY_OVERHEAD_BYTES;

export class InMemoryAttemptStore implements AttemptStore {
  private readonly windows = new Map<string, Window>();
  private bytes = 0;

  /** How many keys it holds and their estimated bytes (tests and monitoring read it). */
  get usage(): { keys: number; bytes: number } {
    return { keys: this.windows.size, bytes: this.bytes };
  }

  async increment(key: string, windowMs: number): Promise<Window> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.delete(key);
      this.windows.set(key, window);
      this.bytes += bytesOf(key);
      if (this.full()) this.makeRoom(now);
    }
    window.count++;
    return { ...window };
  }

  /** A window back at 0 is dropped: refused calls must not fill the store and push out counted ones. */
  async decrement(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && --window.count <= 0) this.delete(key);
  }

  private delete(key: string): void {
    if (this.windows.delete(key)) this.bytes -= bytesOf(key);
  }

  private full(share = 1): boolean {
    return this.windows.size > MAX_KEYS * share || this.bytes > MAX_BYTES * share;
  }

  /**
   * Ended windows go first, then the oldest client-address windows. A username's failures are
   * the last thing to forget: forgetting them would lift a lockout. It frees a tenth of the
   * bounds at once: freeing one entry per new key would rescan the whole map on every call.
   */
  private makeRoom(now: number): void {
    const enough = () => !this.full(0.9);
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.delete(key);
    for (const key of this.windows.keys()) {
      if (enough()) return;
      if (key.startsWith(CLIENT_KEY_PREFIX)) this.delete(key);
    }
    for (const key of this.windows.keys()) {
      if (enough()) return;
      this.delete(key);
    }
  }
}
