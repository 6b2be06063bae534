import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { RATE_LIMIT, RateLimitInterceptor } from './rate-limit.interceptor';
import { RateLimitKind, RateLimitRule } from './rate-limit-rule';

/**
 * Counts each call of this resolver (each aliased field too) against the rate limits. The
 * interceptor is attached here rather than globally: every other resolver then runs without one.
 */
export const RateLimit = (kind: RateLimitKind, appliesTo?: RateLimitRule['appliesTo']) =>
  applyDecorators(
    SetMetadata(RATE_LIMIT, { kind, appliesTo } satisfies RateLimitRule),
    UseInterceptors(RateLimitInterceptor),
  );
