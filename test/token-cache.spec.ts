import { TokenCache } from '../src/cognito/token-cache';
import { TokenClaims } from '../src/common/token-user';

const NOW = 1_800_000_000;
const user = (id: string): TokenClaims => ({
  id,
  username: id,
  groups: ['g'],
  authTime: NOW,
  sessionId: `s-${id}`,
});

describe('TokenCache', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW * 1000 }));
  afterEach(() => jest.useRealTimers());

  it('never holds more than its bound, forgetting the least recently used first', () => {
    const cache = new TokenCache(100);
    for (let i = 0; i < 1000; i++) {
      cache.set(`token-${i}`, user(String(i)), NOW + 600);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.get('token-0')).toBeUndefined();
    expect(cache.get('token-999')?.id).toBe('999');
    // Using an entry keeps it.
    cache.get('token-900');
    for (let i = 1000; i < 1099; i++) cache.set(`token-${i}`, user(String(i)), NOW + 600);
    expect(cache.get('token-900')?.id).toBe('900');
  });

  it('never answers past the token exp', () => {
    const cache = new TokenCache(10);
    cache.set('t', user('a'), NOW + 60);
    expect(cache.get('t')?.id).toBe('a');
    jest.setSystemTime((NOW + 60) * 1000);
    expect(cache.get('t')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('gives each caller its own user object', () => {
    const cache = new TokenCache(10);
    cache.set('t', user('a'), NOW + 60);
    const first = cache.get('t');
    const second = cache.get('t');
    expect(first).toEqual(second);
    expect(first).not.toBe(second);
  });

  it('keeps nothing when its size is 0', () => {
    const cache = new TokenCache(0);
    cache.set('t', user('a'), NOW + 60);
    expect(cache.get('t')).toBeUndefined();
  });
});
