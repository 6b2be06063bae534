import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../src/config/config';
import { RedisLink } from '../src/redis/redis-link';
import { AttemptStore, InMemoryAttemptStore } from '../src/rate-limit/attempt-store';
import { RateLimiter } from '../src/rate-limit/rate-limiter.service';
import { RedisAttemptStore } from '../src/rate-limit/redis-attempt-store';
import {
  Backend,
  connect,
  freshPrefix,
  portsOf,
  redisForContracts,
  RedisTarget,
  until,
} from './support/redis-contract';
import { dumpKeys } from './support/redis-dump';
import { RedisServer, startRedis } from './support/redis-server';

/**
 * One set of semantics, several backends (issue 13): every case below runs against the memory
 * store and the Redis store, on one Redis and on a three-master cluster. Each test gets a fresh
 * store: in Redis, a key prefix of its own.
 */

/** A fresh store, and what it holds. */
interface Subject {
  store: AttemptStore;
  /**
   * How many windows the store holds (memory: its usage; Redis: keys under the prefix). A function,
   * not a method: the tests take it out of the subject.
   */
  windows: () => Promise<number>;
  close(): Promise<void>;
}

const memory: Backend<Subject> = {
  name: 'in memory',
  async open() {
    const store = new InMemoryAttemptStore();
    return { store, windows: async () => store.usage.keys, close: async () => undefined };
  },
};

const { redis, redisSingle, redisCluster } = redisForContracts<Subject, []>((name, target) => ({
  name,
  target,
  async open() {
    const link = await connect(target(), freshPrefix('rl'));
    const fallback = new InMemoryAttemptStore();
    return {
      store: new RedisAttemptStore(link, fallback),
      windows: async () => (await keysOf(target(), link)).length,
      async close() {
        await link.close();
        // Else the case proved the memory store again, not Redis.
        if (fallback.usage.keys > 0) throw new Error('the Redis store counted in memory: Redis was not used');
      },
    };
  },
}));

/** The keys under the link's prefix, with their expiry. */
const keysOf = (target: RedisTarget, link: RedisLink) => dumpKeys(portsOf(target), link.key(''));

/** Opens a fresh subject for each test of the block, closed after it. */
function eachTestOpens(backend: Backend<Subject>): () => Subject {
  let subject: Subject | undefined;
  beforeEach(async () => {
    subject = await backend.open();
  });
  afterEach(async () => {
    await subject?.close();
    subject = undefined;
  });
  return () => subject!;
}

/** Waits (polling) until the wall clock is past `time`. */
const past = (time: number) => until(() => Date.now() > time, `the clock past ${time}`, 10_000, 5);

describe.each([memory, redisSingle, redisCluster])('AttemptStore $name', (backend) => {
  const subject = eachTestOpens(backend);

  it('counts from 1 within a window', async () => {
    const { store } = subject();
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push((await store.increment('k', 60_000)).count);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('answers when the window ends: the first count plus the window, not moved by later counts', async () => {
    const { store } = subject();
    const before = Date.now();
    const first = await store.increment('k', 60_000);
    const after = Date.now();
    expect(first.resetAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(first.resetAt).toBeLessThanOrEqual(after + 60_000);
    const second = await store.increment('k', 60_000);
    expect(second.resetAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(second.resetAt).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('starts a new window from 1 once the window has ended; a later count does not extend it', async () => {
    const { store } = subject();
    const first = await store.increment('k', 1000);
    // A sliding window would end 200 ms after `first`'s: the count after `first.resetAt` tells.
    await sleep(200);
    expect((await store.increment('k', 1000)).count).toBe(2);
    await past(first.resetAt);
    const next = await store.increment('k', 1000);
    expect(next.count).toBe(1);
    expect(next.resetAt).toBeGreaterThan(first.resetAt);
  });

  it('takes one count back', async () => {
    const { store } = subject();
    for (let i = 0; i < 3; i++) await store.increment('k', 60_000);
    await store.decrement('k');
    expect((await store.increment('k', 60_000)).count).toBe(3);
  });

  it('drops a window that is back at 0, and keeps none for a key never counted', async () => {
    const { store, windows } = subject();
    await store.increment('k', 60_000);
    expect(await windows()).toBe(1);
    await store.decrement('k');
    expect(await windows()).toBe(0);
    await store.decrement('never-counted');
    expect(await windows()).toBe(0);
    expect((await store.increment('never-counted', 60_000)).count).toBe(1);
  });

  it('gives 50 concurrent counts of one key each a number of its own, 1 to 50', async () => {
    const { store } = subject();
    const windows = await Promise.all(Array.from({ length: 50 }, () => store.increment('k', 60_000)));
    expect(windows.map((w) => w.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('keeps the windows of different keys, and of different lengths, apart', async () => {
    const { store } = subject();
    const long = await store.increment('long', 60_000);
    await store.increment('long', 60_000);
    const short = await store.increment('short', 300);
    expect(short.count).toBe(1);
    await past(short.resetAt);
    expect((await store.increment('short', 300)).count).toBe(1);
    const third = await store.increment('long', 60_000);
    expect(third.count).toBe(3);
    expect(third.resetAt).toBeLessThanOrEqual(long.resetAt + 1000);
  });
});

describe.each([redisSingle, redisCluster])('AttemptStore $name: what Redis holds', (backend) => {
  let link: RedisLink;
  const names = ['Alice@Example.com', 'bob', 'carol+news@example.com'];
  const addresses = ['203.0.113.7', '2001:db8:1:2::1'];
  const config = parseConfig({});

  beforeAll(async () => {
    link = await connect(backend.target(), freshPrefix('rl'));
    const limiter = new RateLimiter(new RedisAttemptStore(link, new InMemoryAttemptStore()), config.rateLimits);
    // Every kind of key the limiter writes: per client, per refresh client, per account and kind.
    for (const ip of addresses) {
      for (const kind of ['attempt', 'send', 'refresh'] as const) {
        await limiter.settle(await limiter.begin(kind, ip, names), true);
      }
    }
  });
  afterAll(() => link?.close());

  it('gives every key an expiry no longer than its window', async () => {
    const keys = await keysOf(backend.target(), link);
    expect(keys.length).toBeGreaterThan(0);
    const longest = Math.max(config.rateLimits.ipWindowSeconds, config.rateLimits.accountWindowSeconds) * 1000;
    for (const { name, pttl } of keys) {
      expect({ name, expires: pttl > 0 && pttl <= longest }).toEqual({ name, expires: true });
    }
  });

  it('names keys by hashes, never by a name or an address a client sent', async () => {
    const keys = (await keysOf(backend.target(), link)).map((key) => key.name);
    // 2 client keys and 2 refresh-client keys, 3 accounts for each of the 2 kinds that name them.
    expect(keys).toHaveLength(addresses.length * 2 + names.length * 2);
    const hash = '[A-Za-z0-9_-]{22}';
    const shape = new RegExp(`^${link.key('')}rl:(ip:${hash}(#refresh)?|(attempt|send):${hash})$`);
    for (const key of keys) {
      expect(key).toMatch(shape);
      for (const text of [...names, ...addresses, 'alice', 'carol', '203.0.113', '2001:db8']) {
        expect(key.toLowerCase()).not.toContain(text.toLowerCase());
      }
    }
  });
});

describe('RedisAttemptStore when Redis goes away', () => {
  let server: RedisServer;
  let link: RedisLink;

  beforeAll(async () => {
    server = await startRedis();
    link = await connect({ url: server.url }, freshPrefix('rl'));
  });
  afterAll(async () => {
    await link?.close();
    await server?.stop();
  });

  it('counts per instance in memory while Redis is down (logged once), and in Redis again once it is back', async () => {
    const fallback = new InMemoryAttemptStore();
    const store = new RedisAttemptStore(link, fallback);
    const key = 'rl:k';
    expect((await store.increment('k', 60_000)).count).toBe(1);
    expect(await server.cli('exists', link.key(key))).toBe('1');
    const logged = redis.logs.lines.length;

    await server.kill();
    const down = [];
    for (let i = 0; i < 5; i++) down.push((await store.increment('k', 60_000)).count);
    // The count in Redis is not known here: memory starts its own.
    expect(down).toEqual([1, 2, 3, 4, 5]);
    await store.decrement('k');
    expect(fallback.usage.keys).toBe(1);
    expect((await store.increment('k', 60_000)).count).toBe(5);
    const since = (pattern: RegExp) => redis.logs.lines.slice(logged).filter((line) => pattern.test(line));
    expect(since(/\[RateLimit\]/)).toEqual([expect.stringMatching(/^warn .*Rate limits counted per instance/)]);

    await server.start();
    await until(() => link.ready, 'the link connected again');
    // Redis came back empty: its count starts again, and memory's counts stay where they were.
    expect((await store.increment('k', 60_000)).count).toBe(1);
    expect(await server.cli('exists', link.key(key))).toBe('1');
    expect((await store.increment('k', 60_000)).count).toBe(2);
    expect(since(/\[RateLimit\]/)).toEqual([
      expect.stringMatching(/^warn .*Rate limits counted per instance/),
      expect.stringMatching(/^log .*Rate limits counted in Redis again/),
    ]);
    // The link, too, said it once each way, however many reconnections failed meanwhile.
    expect(since(/\[Redis\]/)).toEqual([
      expect.stringMatching(/^warn .*Redis does not answer/),
      expect.stringMatching(/^log .*Redis answers again/),
    ]);
  });
});
