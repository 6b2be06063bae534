/** Injection token of the SignOutStore in use. */
export const SIGN_OUT_STORE = Symbol('SIGN_OUT_STORE');

/** The latest sign-out of one user. */
export interface SignOut {
  /** Every session of the user authenticated at or before this second (Unix time) has ended... */
  upTo: number;
  /** ...but this one (the session that changed the password), when set. */
  keptSession?: string;
}

/**
 * Where sign-outs are remembered. Access tokens stay valid until they expire (JWT verification
 * cannot know better), so this server checks every token against this record.
 *
 * The default keeps it in this process's memory: right for one instance. Several instances need
 * one shared store (Redis: SET signout:<userId> <json> EX <longest refresh-token life>), provided
 * under SIGN_OUT_STORE in place of InMemorySignOutStore.
 */
export interface SignOutStore {
  record(userId: string, signOut: SignOut): Promise<void>;
  find(userId: string): Promise<SignOut | undefined>;
}

export class InMemorySignOutStore implements SignOutStore {
  // One entry per user who ever signed out, overwritten by the next: it grows with users, not requests.
  private readonly signOuts = new Map<string, SignOut>();

  async record(userId: string, signOut: SignOut): Promise<void> {
    this.signOuts.set(userId, signOut);
  }

  async find(userId: string): Promise<SignOut | undefined> {
    return this.signOuts.get(userId);
  }
}
