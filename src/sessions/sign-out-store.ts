import { shortHash } from '../common/short-hash';
import { ServiceUnavailableError } from '../errors/app-errors';

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
 * `find` answers from this process's memory, on every request; `record` answers once the sign-out
 * is kept where every instance will honour it (this process's memory, or Redis: see
 * RedisSignOutStore), and fails with ServiceUnavailableError when it cannot be.
 */
export interface SignOutStore {
  /** @param username the `username` claim of the user's tokens, as it is (never case-folded). */
  record(username: string, signOut: SignOut): Promise<void>;
  find(username: string): SignOut | undefined;
  /** Whether a record made now would be kept, as far as known without asking (Redis connected). */
  readonly writable: boolean;
  /**
   * Whether a record made now would be kept, asking if need be: before a change that cannot be
   * undone (a new password, a deleted account), so that such a change is refused rather than made
   * without the sign-out that must follow it.
   */
  canRecord(): Promise<boolean>;
  /** Whether every sign-out still in the retention is known here (an instance serves only then). */
  readonly ready: boolean;
}

/** What a caller hears when a sign-out cannot be kept where every instance honours it. */
export function notRecordable(): ServiceUnavailableError {
  return new ServiceUnavailableError('Sign-outs cannot be recorded right now: try again in a moment');
}

/** Users are known by a hash of their name, here and in Redis: no store holds the name. */
export const userKey = shortHash;

/**
 * Of two sign-outs of one user, the one that ends more: the later one, and of two in the same
 * second, the one that keeps no session. Order-free (whoever hears of them in whatever order
 * agrees), and applying a record twice changes nothing: Redis replays and write-backs are safe.
 */
export function stricter(a: SignOut, b: SignOut): SignOut {
  if (a.upTo !== b.upTo) return a.upTo > b.upTo ? a : b;
  if (!a.keptSession || !b.keptSession) return a.keptSession ? b : a;
  return a.keptSession <= b.keptSession ? a : b;
}

/**
 * The sign-outs of the retention, in this process's memory, by user key. Each is forgotten once
 * its retention is over; a sweep now and then drops the forgotten ones from the oldest on.
 */
export class SignOutTable {
  private readonly signOuts = new Map<string, SignOut>();
  private writes = 0;

  /** @param retentionMs how long a sign-out is remembered: the longest a refresh token lives. */
  constructor(private readonly retentionMs: number) {}

  get size(): number {
    return this.signOuts.size;
  }

  /** Keeps `signOut` unless what is known of the user already ends as much; answers whether it did. */
  put(user: string, signOut: SignOut): boolean {
    if (this.expired(signOut, Date.now())) return false;
    const known = this.signOuts.get(user);
    if (known && stricter(known, signOut) === known) return false;
    // Deleted first, so that the map stays in about the order of upTo (the sweep stops at the first kept).
    this.signOuts.delete(user);
    this.signOuts.set(user, signOut);
    if (++this.writes % 1000 === 0) this.sweep();
    return true;
  }

  get(user: string): SignOut | undefined {
    const signOut = this.signOuts.get(user);
    return signOut && !this.expired(signOut, Date.now()) ? signOut : undefined;
  }

  /** The sign-outs still in the retention (those past it may not have been swept yet). */
  *entries(): IterableIterator<[string, SignOut]> {
    const now = Date.now();
    for (const entry of this.signOuts) if (!this.expired(entry[1], now)) yield entry;
  }

  private expired(signOut: SignOut, now: number): boolean {
    return signOut.upTo * 1000 + this.retentionMs <= now;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [user, signOut] of this.signOuts) {
      if (!this.expired(signOut, now)) break;
      this.signOuts.delete(user);
    }
  }
}

/** One instance: its memory is the record (forgotten at restart: production wants Redis). */
export class InMemorySignOutStore implements SignOutStore {
  readonly writable = true;
  readonly ready = true;
  private readonly table: SignOutTable;

  constructor(retentionMs: number) {
    this.table = new SignOutTable(retentionMs);
  }

  async record(username: string, signOut: SignOut): Promise<void> {
    this.table.put(userKey(username), signOut);
  }

  find(username: string): SignOut | undefined {
    return this.table.get(userKey(username));
  }

  async canRecord(): Promise<boolean> {
    return true;
  }
}
