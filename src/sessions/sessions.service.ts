import { Inject, Injectable } from '@nestjs/common';
import { TokenUser } from '../cognito/cognito.types';
import { UnauthenticatedError } from '../errors/app-errors';
import { SIGN_OUT_STORE, SignOutStore } from './sign-out-store';

/**
 * Ends sessions, and tells whether a token's session has ended. Tokens carry whole seconds, so a
 * session that started in the very second of a sign-out counts as ended: signing in again
 * works from the next second on. The sign-out time is never earlier than the sign-in time of the
 * token that asked for it, should this server's clock be behind Cognito's.
 */
@Injectable()
export class SessionsService {
  constructor(@Inject(SIGN_OUT_STORE) private readonly store: SignOutStore) {}

  /** Every session of the user. */
  async endAll(user: TokenUser): Promise<void> {
    await this.store.record(user.id, { upTo: upTo(user) });
  }

  /** Every session of the user but the one `user` was verified from. */
  async endOthers(user: TokenUser): Promise<void> {
    await this.store.record(user.id, { upTo: upTo(user), keptSession: user.sessionId || undefined });
  }

  async assertActive(user: TokenUser): Promise<void> {
    const signOut = await this.store.find(user.id);
    if (signOut && user.authTime <= signOut.upTo && user.sessionId !== signOut.keptSession) {
      throw new UnauthenticatedError('This session has ended (signed out): sign in again');
    }
  }
}

function upTo(user: TokenUser): number {
  return Math.max(Math.floor(Date.now() / 1000), user.authTime);
}
