import { Global, Module } from '@nestjs/common';
import { ATTEMPT_STORE, InMemoryAttemptStore } from './attempt-store';
import { RateLimiter } from './rate-limiter.service';

@Global()
@Module({
  providers: [RateLimiter, { provide: ATTEMPT_STORE, useClass: InMemoryAttemptStore }],
  exports: [RateLimiter],
})
export class RateLimitModule {}
