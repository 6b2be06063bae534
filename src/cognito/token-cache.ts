import { createHash } from 'node:crypto';
import { TokenClaims } from '../common/token-user';

/**
 * Tokens verified recently, so that a token sent again skips the RSA check (the costliest step
 * of a signed-in request). Bounded (least recently used goes first), keyed by a hash of the token
 * and holding only its claims (a stolen cache holds no token), and never past a token's `exp`.
 * Only tokens that passed every check go in; whether their session has ended is asked on every
 * request all the same.
 */
export class TokenCache {
  private readonly entries = new Map<string, { claims: TokenClaims; expiresAt: number }>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string): TokenClaims | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry);
    // A copy: each request gets its own user object (per-request memos hang on it).
    return { ...entry.claims };
  }

  set(token: string, claims: TokenClaims, exp: number): void {
    if (this.maxEntries === 0) return;
    const key = keyOf(token);
    this.entries.delete(key);
    this.entries.set(key, { claims: { ...claims }, expiresAt: exp * 1000 });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
