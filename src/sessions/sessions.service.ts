import { Inject, Injectable } from '@nestjs/common';
import { UnauthenticatedError } from '../errors/app-errors';
import { notRecordable, SIGN_OUT_STORE, SignOutStore } from './sign-out-store';
import { TokenUser } from '../common/token-user';

/** Who a sign-out is for, and when the session that asked for it began. */
export type SessionOwner = Pick<TokenUser, 'username' | 'authTime'>;

/**
 * Ends sessions, and tells whether a token's session has ended. Tokens carry whole seconds, so a
 * session that started in the very second of a sign-out counts as ended: signing in again
 * works from the next second on. The sign-out time is never earlier than the sign-in time of the
 * token that asked for it, should this server's clock be behind Cognito's.
 *
 * Sign-outs are recorded under the token's `username` claim (the user's name in the pool, as
 * Cognito spells it), not under `sub`: a password reset knows no token, only a name, and learns
 * the user's own name from Cognito (see PasswordService). That name is as unique as `sub` while
 * the user exists, and is never folded to lower case (in a case-sensitive pool, names that differ
 * only in case are different users). A deleted user's name taken again later is no problem: the
 * newcomer's sessions all begin after the old record.
 */
@Injectable()
export class SessionsService {
  constructor(@Inject(SIGN_OUT_STORE) private readonly store: SignOutStore) {}

  /**
   * Every session of the user, up to now (or up to `authTime`, if later). Answers the last second
   * that counts as ended: a session begun from the next one on is not.
   */
  async endAll(user: SessionOwner): Promise<number> {
    const until = upTo(user);
    await this.store.record(user.username, { upTo: until });
    return until;
  }

  /** Every session of the user but the one `user` was verified from. */
  async endOthers(user: TokenUser): Promise<void> {
    await this.store.record(user.username, { upTo: upTo(user), keptSession: user.sessionId || undefined });
  }

  /** Every sign-out still in the retention is known here (with Redis: read from it). */
  get ready(): boolean {
    return this.store.ready;
  }

  /**
   * Refuses, before a change that cannot be taken back (a new password, a deleted account), when
   * the sign-out that must follow it could not be recorded now (Redis is away or does not answer).
   * With Redis, one round trip: these calls are rare. Should Redis stop answering between this
   * check and the record, the change is made and answered SERVICE_UNAVAILABLE all the same.
   */
  async assertCanEnd(): Promise<void> {
    if (!(await this.store.canRecord())) throw notRecordable();
  }

  /** Answers from this process's memory: no request waits for a store. */
  assertActive(user: SessionOwner & Pick<TokenUser, 'sessionId'>): void {
    const signOut = this.store.find(user.username);
    if (signOut && user.authTime <= signOut.upTo && user.sessionId !== signOut.keptSession) {
      throw new UnauthenticatedError('This session has ended (signed out): sign in again');
    }
  }
}

function upTo(user: SessionOwner): number {
  return Math.max(Math.floor(Date.now() / 1000), user.authTime);
}
