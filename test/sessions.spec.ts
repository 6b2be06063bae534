import { SessionsService } from '../src/sessions/sessions.service';
import { InMemorySignOutStore } from '../src/sessions/sign-out-store';
import { TokenUser } from '../src/common/token-user';

const NOW = 1_800_000_000;

function user(authTime: number, sessionId = 'session-a', username = 'alice'): TokenUser {
  return { id: 'same-sub-for-all', username, groups: [], authTime, sessionId, accessToken: 'token' };
}

describe('SessionsService', () => {
  let sessions: SessionsService;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW * 1000 + 400 });
    sessions = new SessionsService(new InMemorySignOutStore(30 * 86_400_000));
  });
  afterEach(() => jest.useRealTimers());

  /** Whether the session of `u` is let through; any error but UNAUTHENTICATED is a failure. */
  const active = (u: TokenUser): boolean => {
    try {
      sessions.assertActive(u);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'UNAUTHENTICATED') return false;
      throw error;
    }
  };

  it('answers at once from memory: no request waits for a store', () => {
    expect(sessions.assertActive(user(NOW - 100))).toBeUndefined();
  });

  it('lets every session be until the user signs out', async () => {
    expect(active(user(NOW - 100))).toBe(true);
  });

  it('ends every session that began before or in the second of the sign-out', async () => {
    await sessions.endAll(user(NOW - 100));
    expect(active(user(NOW - 100))).toBe(false);
    expect(active(user(NOW - 100, 'session-b'))).toBe(false);
    expect(active(user(NOW))).toBe(false);
    expect(active(user(NOW + 1))).toBe(true);
  });

  it('keeps, when asked, the session that ended the others (a password change), also once refreshed', async () => {
    await sessions.endOthers(user(NOW - 100, 'session-a'));
    expect(active(user(NOW - 100, 'session-a'))).toBe(true);
    expect(active(user(NOW - 50, 'session-b'))).toBe(false);
    // A token refreshed from session-a on AWS keeps its auth_time and origin_jti.
    expect(active({ ...user(NOW - 100, 'session-a'), accessToken: 'refreshed' })).toBe(true);
  });

  it('ends a session refreshed after the sign-out, by when its user signed in (auth_time)', async () => {
    await sessions.endAll(user(NOW - 100));
    jest.setSystemTime((NOW + 600) * 1000);
    expect(active(user(NOW - 100, 'session-a'))).toBe(false);
  });

  it('forgets a sign-out after the retention (when no refresh token of it can still live)', async () => {
    await sessions.endAll(user(NOW - 100));
    jest.setSystemTime((NOW + 31 * 86400) * 1000);
    expect(active(user(NOW - 100))).toBe(true);
  });

  it('touches only the user who signed out, by the username claim as it is (never case-folded)', async () => {
    await sessions.endAll(user(NOW - 100, 'session-a', 'alice'));
    expect(active(user(NOW - 100, 'session-a', 'bob'))).toBe(true);
    // In a case-sensitive pool these are two users.
    expect(active(user(NOW - 100, 'session-a', 'Alice'))).toBe(true);
  });

  it('ends by name alone what a reset learned (no token of its own): every session up to now', async () => {
    await sessions.endAll({ username: 'alice', authTime: 0 });
    expect(active(user(NOW - 100))).toBe(false);
    expect(active(user(NOW))).toBe(false);
    expect(active(user(NOW + 1))).toBe(true);
  });

  it("does not end the sessions of a newcomer who takes a deleted user's name later", async () => {
    await sessions.endAll(user(NOW - 100));
    jest.setSystemTime((NOW + 5) * 1000);
    expect(active(user(NOW + 5, 'newcomer'))).toBe(true);
  });
});
