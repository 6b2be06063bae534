import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ATTEMPT_STORE, InMemoryAttemptStore } from './attempt-store';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { RateLimiter } from './rate-limiter.service';

@Global()
@Module({
  providers: [
    RateLimiter,
    { provide: ATTEMPT_STORE, useClass: InMemoryAttemptStore },
    { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
  ],
})
export class RateLimitModule {}
