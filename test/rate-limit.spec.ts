import { InMemoryAttemptStore } from '../src/rate-limit/attempt-store';
import { RateLimiter } from '../src/rate-limit/rate-limiter.service';
import { parseConfig } from '../src/config/config';

/** Whether the limiter refused the call (TOO_MANY_REQUESTS). */
const refused = (promise: Promise<unknown>) =>
  promise.then(
    () => false,
    (error) => error.code === 'TOO_MANY_REQUESTS',
  );

describe('RateLimiter with the in-memory store', () => {
  const config = parseConfig({ RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_ACCOUNT_FAILURES_MAX: '3' });
  const fail = async (limiter: RateLimiter, ip: string, username: string) =>
    limiter.settle(await limiter.begin('attempt', ip, [username]), true);

  it('keeps a lockout when a flood of new client addresses fills the store', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), config.rateLimits);
    for (let i = 0; i < 3; i++) await fail(limiter, '10.0.0.1', 'victim');
    for (let i = 0; i < 100_001; i++)
      await limiter.begin('attempt', `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`, []);
    expect(await refused(limiter.begin('attempt', '10.0.0.2', ['victim']))).toBe(true);
  });

  it('counts one IPv6 /64 as one client', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), parseConfig({ RATE_LIMIT_IP_MAX: '2' }).rateLimits);
    await limiter.begin('send', '2001:db8:1:2::1', []);
    await limiter.begin('send', '2001:db8:1:2:ffff::9', []);
    expect(await refused(limiter.begin('send', '2001:0db8:0001:0002:abcd::1', []))).toBe(true);
    expect(await refused(limiter.begin('send', '2001:db8:1:3::1', []))).toBe(false);
  });

  it('counts "Alice", "ALICE" and full-width "Ａｌｉｃｅ" as one account', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), config.rateLimits);
    await fail(limiter, '10.0.0.1', 'Alice');
    await fail(limiter, '10.0.0.1', 'ALICE');
    await fail(limiter, '10.0.0.1', 'Ａｌｉｃｅ');
    expect(await refused(limiter.begin('attempt', '10.0.0.1', ['alice']))).toBe(true);
  });

  it('takes back an attempt that turned out not to count', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), config.rateLimits);
    for (let i = 0; i < 10; i++) await limiter.settle(await limiter.begin('attempt', '10.0.0.1', ['bob']), false);
    expect(await refused(limiter.begin('attempt', '10.0.0.1', ['bob']))).toBe(false);
  });
});

describe('RateLimiter: what it keeps', () => {
  it('keeps a fixed-size key per name, however long the name, and none for a name longer than any valid one', async () => {
    const store = new InMemoryAttemptStore();
    const limiter = new RateLimiter(store, parseConfig({}).rateLimits);
    await limiter.begin('attempt', '10.0.0.1', ['a'.repeat(254)]);
    const one = store.usage;
    // U+FDFA: 1 character, 18 after NFKC. "y-" and 15 of them fit raw (17 < 254) but not normalised (272).
    for (const name of ['x-' + '\uFDFA'.repeat(21600), 'y-' + '\uFDFA'.repeat(15), 'z'.repeat(255)])
      await limiter.begin('attempt', '10.0.0.1', [name]);
    expect(store.usage).toEqual(one);
    await limiter.begin('attempt', '10.0.0.1', ['b']);
    expect(store.usage.keys).toBe(one.keys + 1);
    expect(store.usage.bytes - one.bytes).toBeLessThan(200);
  });

  it('never keys a client by a string that is not an IP address', async () => {
    const store = new InMemoryAttemptStore();
    const limiter = new RateLimiter(store, parseConfig({}).rateLimits);
    await limiter.begin('attempt', '10.0.0.1', []);
    const one = store.usage;
    await limiter.begin('attempt', 'junk'.repeat(2000), []);
    await limiter.begin('attempt', 'more junk'.repeat(2000), []);
    expect(store.usage.keys).toBe(one.keys + 1); // one "unknown" client, whatever was written
    expect(store.usage.bytes - one.bytes).toBeLessThan(200);
  });

  it('counts "a+news@example.com" and "A+shop@Example.com" as the mailbox "a@example.com"', async () => {
    const limiter = new RateLimiter(
      new InMemoryAttemptStore(),
      parseConfig({ RATE_LIMIT_IP_MAX: '1000', RATE_LIMIT_ACCOUNT_SENDS_MAX: '2' }).rateLimits,
    );
    await limiter.settle(await limiter.begin('send', '10.0.0.1', ['a+news@example.com']), true);
    await limiter.settle(await limiter.begin('send', '10.0.0.1', ['A+shop@Example.com']), true);
    expect(await refused(limiter.begin('send', '10.0.0.1', ['a@example.com']))).toBe(true);
    expect(await refused(limiter.begin('send', '10.0.0.1', ['b@example.com']))).toBe(false);
  });

  it('gives back the account counts of a call it refuses, so refused calls cannot keep an address locked', async () => {
    const limiter = new RateLimiter(
      new InMemoryAttemptStore(),
      parseConfig({ RATE_LIMIT_IP_MAX: '1000', RATE_LIMIT_ACCOUNT_SENDS_MAX: '2' }).rateLimits,
    );
    // Two calls in flight hold the budget; twenty more are refused meanwhile; the two send nothing.
    const inFlight = [
      await limiter.begin('send', '10.0.0.1', ['a@x.org']),
      await limiter.begin('send', '10.0.0.1', ['a@x.org']),
    ];
    for (let i = 0; i < 20; i++) expect(await refused(limiter.begin('send', '10.0.0.1', ['a@x.org']))).toBe(true);
    for (const ticket of inFlight) await limiter.settle(ticket, false);
    await limiter.settle(await limiter.begin('send', '10.0.0.1', ['a@x.org']), true);
    expect(await refused(limiter.begin('send', '10.0.0.1', ['a@x.org']))).toBe(false);
  });

  it('bounds the store by bytes as well as keys, forgetting client addresses first', async () => {
    const store = new InMemoryAttemptStore();
    await store.increment('attempt:victim', 60_000);
    // Keys far longer than the limiter's own: the byte bound (16 MiB) is reached before the key bound.
    for (let i = 0; i < 100_000; i++) await store.increment(`ip:${'x'.repeat(100)}${i}`, 60_000);
    expect(store.usage.bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(store.usage.keys).toBeLessThan(100_000);
    expect((await store.increment('attempt:victim', 60_000)).count).toBe(2);
  });
});

describe('RateLimiter: refused calls and refreshes', () => {
  it('keeps no key for a name whose calls were all given back, so refused calls cannot push out a lockout', async () => {
    const store = new InMemoryAttemptStore();
    const limiter = new RateLimiter(store, parseConfig({ RATE_LIMIT_IP_MAX: '1000000' }).rateLimits);
    for (let i = 0; i < 1000; i++)
      await limiter.settle(await limiter.begin('attempt', '10.0.0.1', [`name-${i}`]), false);
    // The client's own count is all that is left.
    expect(store.usage.keys).toBe(1);
  });

  it('counts every refresh against a ceiling of ten times the IP limit, successful ones included', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), parseConfig({ RATE_LIMIT_IP_MAX: '2' }).rateLimits);
    const succeed = async () => limiter.settle(await limiter.begin('refresh', '10.0.0.1', []), false);
    for (let i = 0; i < 20; i++) await succeed();
    expect(await refused(limiter.begin('refresh', '10.0.0.1', []))).toBe(true);
    expect(await refused(limiter.begin('refresh', '10.0.0.2', []))).toBe(false);
  });
});
