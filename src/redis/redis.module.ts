import { Global, Inject, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { RedisSettings } from '../config/config';
import { settingToken } from '../config/config.module';
import { RedisLink } from './redis-link';

/** Injection token of the RedisLink: null when REDIS_URL (or REDIS_CLUSTER_NODES) is unset. */
export const REDIS_LINK = Symbol('REDIS_LINK');

/** Connects to Redis when the configuration names one, and disconnects at shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_LINK,
      inject: [settingToken('redis'), settingToken('production')],
      useFactory: (settings: RedisSettings | undefined, production: boolean) => {
        if (settings) return new RedisLink(settings);
        if (production) {
          new Logger('Redis').warn(
            'REDIS_URL is not set: sign-outs and rate limits are kept in this process only, ' +
              'forgotten when it restarts and not shared with other instances (see "Running several instances" in README.md)',
          );
        }
        return null;
      },
    },
  ],
  exports: [REDIS_LINK],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(REDIS_LINK) private readonly link: RedisLink | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.link?.close();
  }
}
