import { Module } from '@nestjs/common';
import { SessionsService } from './sessions.service';
import { InMemorySignOutStore, SIGN_OUT_STORE } from './sign-out-store';

@Module({
  providers: [SessionsService, { provide: SIGN_OUT_STORE, useClass: InMemorySignOutStore }],
  exports: [SessionsService],
})
export class SessionsModule {}
