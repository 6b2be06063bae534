/**
 * - `attempt`: guesses a secret (a password or a code). Limited per client IP, and per account
 *   on failures.
 * - `send`: makes Cognito send a code (or create an account, which sends one). Limited per client
 *   IP, and per account and per email address on every code sent (no mail bombing).
 * - `refresh`: trades a refresh token. Limited per client IP, counting failures (an app's
 *   successful refreshes give their count back; a flood of garbage tokens is refused), and every
 *   refresh against a higher ceiling (a stolen valid token cannot flood Cognito either).
 */
export type RateLimitKind = 'attempt' | 'send' | 'refresh';

export interface RateLimitRule {
  kind: RateLimitKind;
  /**
   * Whether a call with these arguments is limited at all (updateMe sends a code only for a new
   * email). It sees the arguments as sent, before validation: plain objects, not the input classes.
   */
  appliesTo?: (args: Record<string, unknown>) => boolean;
}
