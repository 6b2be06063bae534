import { InMemoryAttemptStore } from '../src/rate-limit/attempt-store';
import { RateLimiter } from '../src/rate-limit/rate-limiter.service';
import { parseConfig } from '../src/config/config';

describe('RateLimiter with the in-memory store', () => {
  const config = parseConfig({ RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_ACCOUNT_FAILURES_MAX: '3' });
  const refused = (promise: Promise<unknown>) =>
    promise.then(
      () => false,
      (error) => error.code === 'TOO_MANY_REQUESTS',
    );
  const fail = async (limiter: RateLimiter, ip: string, username: string) =>
    limiter.settle(await limiter.begin('attempt', ip, [username]), true);

  it('keeps a lockout when a flood of new client addresses fills the store', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), config);
    for (let i = 0; i < 3; i++) await fail(limiter, '10.0.0.1', 'victim');
    for (let i = 0; i < 100_001; i++)
      await limiter.begin('attempt', `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`, []);
    expect(await refused(limiter.begin('attempt', '10.0.0.2', ['victim']))).toBe(true);
  });

  it('counts one IPv6 /64 as one client', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), parseConfig({ RATE_LIMIT_IP_MAX: '2' }));
    await limiter.begin('send', '2001:db8:1:2::1', []);
    await limiter.begin('send', '2001:db8:1:2:ffff::9', []);
    expect(await refused(limiter.begin('send', '2001:0db8:0001:0002:abcd::1', []))).toBe(true);
    expect(await refused(limiter.begin('send', '2001:db8:1:3::1', []))).toBe(false);
  });

  it('counts "Alice", "ALICE" and full-width "Ａｌｉｃｅ" as one account', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), config);
    await fail(limiter, '10.0.0.1', 'Alice');
    await fail(limiter, '10.0.0.1', 'ALICE');
    await fail(limiter, '10.0.0.1', 'Ａｌｉｃｅ');
    expect(await refused(limiter.begin('attempt', '10.0.0.1', ['alice']))).toBe(true);
  });

  it('takes back an attempt that turned out not to count', async () => {
    const limiter = new RateLimiter(new InMemoryAttemptStore(), config);
    for (let i = 0; i < 10; i++) await limiter.settle(await limiter.begin('attempt', '10.0.0.1', ['bob']), false);
    expect(await refused(limiter.begin('attempt', '10.0.0.1', ['bob']))).toBe(false);
  });
});
