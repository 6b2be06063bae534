import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT = 'rate-limit:kind';

/**
 * - `attempt`: guesses a secret (a password or a code). Limited per client IP, and per account
 *   on failures.
 * - `send`: makes Cognito send a code (or create an account, which sends one). Limited per client
 *   IP, and per account and per email address on every code sent (no mail bombing).
 */
export type RateLimitKind = 'attempt' | 'send';

/** Counts each call of this resolver (each aliased field too) against the rate limits. */
export const RateLimit = (kind: RateLimitKind) => SetMetadata(RATE_LIMIT, kind);
