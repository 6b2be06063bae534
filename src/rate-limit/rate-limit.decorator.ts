import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { RATE_LIMIT, RateLimitInterceptor } from './rate-limit.interceptor';

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

/**
 * Counts each call of this resolver (each aliased field too) against the rate limits. The
 * interceptor is attached here rather than globally: every other resolver then runs without one.
 */
export const RateLimit = (kind: RateLimitKind, appliesTo?: RateLimitRule['appliesTo']) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT, { kind, appliesTo } satisfies RateLimitRule),
    UseInterceptors(RateLimitInterceptor),
  );
