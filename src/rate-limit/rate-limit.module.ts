import { Global, Module } from '@nestjs/common';
import { REDIS_LINK } from '../redis/redis.module';
import { RedisLink } from '../redis/redis-link';
import { ATTEMPT_STORE, InMemoryAttemptStore } from './attempt-store';
import { RateLimiter } from './rate-limiter.service';
import { RedisAttemptStore } from './redis-attempt-store';

@Global()
@Module({
  providers: [
    RateLimiter,
    {
      provide: ATTEMPT_STORE,
      inject: [REDIS_LINK],
      useFactory: (redis: RedisLink | null) =>
        redis ? new RedisAttemptStore(redis, new InMemoryAttemptStore()) : new InMemoryAttemptStore(),
    },
  ],
  exports: [RateLimiter],
})
export class RateLimitModule {}
