import { Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { SessionsService } from './sessions.service';
import { InMemorySignOutStore, SIGN_OUT_STORE } from './sign-out-store';

@Module({
  providers: [
    SessionsService,
    {
      provide: SIGN_OUT_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new InMemorySignOutStore(config.signOutRetentionDays * 86_400_000),
    },
  ],
  exports: [SessionsService],
})
export class SessionsModule {}
