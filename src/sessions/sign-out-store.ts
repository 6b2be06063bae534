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
 * cannot know better), so this server checks every token against this record. A record is kept as
 * long as a refresh token may live (SIGN_OUT_RETENTION_DAYS), since a session can be refreshed
 * that long.
 *
 * The default keeps it in this process's memory: right for one instance. Several instances need
 * one shared store (Redis: SET signout:<username> <json> EX <longest refresh-token life>), provided
 * under SIGN_OUT_STORE in place of InMemorySignOutStore.
 */
export interface SignOutStore {
  /** @param username the `username` claim of the user's tokens, as it is (never case-folded). */
  record(username: string, signOut: SignOut): Promise<void>;
  find(username: string): Promise<SignOut | undefined>;
}

export class InMemorySignOutStore implements SignOutStore {
  // One entry per user who signed out within the retention, overwritten by the next.
  private readonly signOuts = new Map<string, SignOut & { expiresAt: number }>();
  private writes = 0;

  /** @param retentionMs how long a sign-out is remembered: the longest a refresh token lives. */
  constructor(private readonly retentionMs: number) {}

  async record(username: string, signOut: SignOut): Promise<void> {
    const now = Date.now();
    this.signOuts.delete(username);
    this.signOuts.set(username, { ...signOut, expiresAt: now + this.retentionMs });
    // Oldest first (insertion order): sweep the forgotten ones now and then.
    if (++this.writes % 1000 === 0) {
      for (const [id, entry] of this.signOuts) {
        if (entry.expiresAt > now) break;
        this.signOuts.delete(id);
      }
    }
  }

  async find(username: string): Promise<SignOut | undefined> {
    const entry = this.signOuts.get(username);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }
}
