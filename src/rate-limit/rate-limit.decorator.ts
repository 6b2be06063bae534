import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT = 'rate-limit:kind';

/**
 * - `attempt`: guesses a secret (password or code). Limited per client IP, and per username on
 *   failures (wrong password or code).
 * - `send`: makes Cognito send a code or create an account. Limited per client IP, and per
 *   username on every call (no mail bombing).
 */
export type RateLimitKind = 'attempt' | 'send';

/** Counts each call of this resolver (each aliased field too) against the rate limits. */
export const RateLimit = (kind: RateLimitKind) => SetMetadata(RATE_LIMIT, kind);
