import { Module } from '@nestjs/common';
import { settingToken } from '../config/config.module';
import { REDIS_LINK } from '../redis/redis.module';
import { RedisLink } from '../redis/redis-link';
import { RedisSignOutStore } from './redis-sign-out-store';
import { SessionsService } from './sessions.service';
import { InMemorySignOutStore, SIGN_OUT_STORE } from './sign-out-store';

@Module({
  providers: [
    SessionsService,
    {
      provide: SIGN_OUT_STORE,
      inject: [settingToken('signOutRetentionDays'), REDIS_LINK],
      useFactory: (retentionDays: number, redis: RedisLink | null) => {
        const retentionMs = retentionDays * 86_400_000;
        return redis ? new RedisSignOutStore(redis, retentionMs) : new InMemorySignOutStore(retentionMs);
      },
    },
  ],
  exports: [SessionsService],
})
export class SessionsModule {}
