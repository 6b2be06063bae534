import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { RATE_LIMIT, RateLimitInterceptor } from './rate-limit.interceptor';

/**
 * - `attempt`: guesses a secret (a password or a code). Limited per client IP, and per account
 *   on failures.
 * - `send`: makes Cognito send a code (or create an account, which sends one). Limited per client
 *   IP, and per account and per email address on every code sent (no mail bombing).
 */
export type RateLimitKind = 'attempt' | 'send';

/**
 * Counts each call of this resolver (each aliased field too) against the rate limits. The
 * interceptor is attached here rather than globally: every other resolver then runs without one.
 */
export const RateLimit = (kind: RateLimitKind) =>
  applyDecorators(SetMetadata(RATE_LIMIT, kind), UseInterceptors(RateLimitInterceptor));
