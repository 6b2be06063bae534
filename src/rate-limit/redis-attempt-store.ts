import { Logger } from '@nestjs/common';
import { describeError } from '../common/text';
import { RedisLink } from '../redis/redis-link';
import { timedOut } from '../redis/redis-errors';
import { defineScript, RedisScript } from '../redis/redis-script';
import { AttemptStore, InMemoryAttemptStore, Window } from './attempt-store';

/** One more in the key's window, which starts with the first count. KEYS: the key. ARGV: window (ms). */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * After a call that a connected Redis did not answer in time (it hangs), how long limits are
 * counted in memory before Redis is asked again: one limited request makes up to three calls in a
 * row (client, account, give-back), and each would wait the whole timeout.
 */
const PAUSE_AFTER_TIMEOUT_MS = 1000;

/** One less; a window back at 0 is dropped, as in memory. KEYS: the key. */
const DECREMENT = `
if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
`;

/**
 * The rate-limit windows in Redis, shared by every instance: each key counts with INCR and
 * expires with its window (PEXPIRE on the first count), one key per script, so any cluster slot.
 *
 * While Redis does not answer, each instance counts in its own memory instead (the limits then
 * hold per instance, so N instances allow up to N times as much; see SECURITY.md for why this
 * rather than refusing every limited call), and goes back to Redis when it answers again. Counts
 * made in memory meanwhile are not carried over. A Redis that hangs costs a limited request one
 * timeout, not one per call: after a call it does not answer, Redis is left alone for a moment.
 */
export class RedisAttemptStore implements AttemptStore {
  private readonly logger = new Logger('RateLimit');
  private readonly incrementScript: RedisScript;
  private readonly decrementScript: RedisScript;
  private inMemory = false;
  private pausedUntil = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly fallback: InMemoryAttemptStore,
  ) {
    this.incrementScript = defineScript(link.client, 'cgaIncrement', INCREMENT, 1);
    this.decrementScript = defineScript(link.client, 'cgaDecrement', DECREMENT, 1);
  }

  async increment(key: string, windowMs: number): Promise<Window> {
    if (!this.usable) return this.fallBack(() => this.fallback.increment(key, windowMs));
    try {
      const [count, ttl] = (await this.incrementScript([this.keyOf(key)], [windowMs])) as [number, number];
      this.backInRedis();
      return { count, resetAt: Date.now() + ttl };
    } catch (error) {
      return this.fallBack(() => this.fallback.increment(key, windowMs), error);
    }
  }

  async decrement(key: string): Promise<void> {
    if (!this.usable) return this.fallBack(() => this.fallback.decrement(key));
    try {
      await this.decrementScript([this.keyOf(key)], []);
    } catch (error) {
      return this.fallBack(() => this.fallback.decrement(key), error);
    }
  }

  /** Connected, and not just found hanging. */
  private get usable(): boolean {
    return this.link.ready && Date.now() >= this.pausedUntil;
  }

  private keyOf(key: string): string {
    return this.link.key(`rl:${key}`);
  }

  private fallBack<T>(inMemory: () => Promise<T>, error?: unknown): Promise<T> {
    // Redis hangs: leave it alone for a moment (a lost connection shows in link.ready at once).
    if (timedOut(error)) this.pausedUntil = Date.now() + PAUSE_AFTER_TIMEOUT_MS;
    if (!this.inMemory) {
      const why = error === undefined ? 'Redis does not answer' : describeError(error);
      this.logger.warn(`Rate limits counted per instance, in memory, until Redis answers (${why})`);
      this.inMemory = true;
    }
    return inMemory();
  }

  private backInRedis(): void {
    if (!this.inMemory) return;
    this.logger.log('Rate limits counted in Redis again');
    this.inMemory = false;
  }
}
