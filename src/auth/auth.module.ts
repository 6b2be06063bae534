import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';

@Module({
  imports: [CognitoModule, SessionsModule],
  providers: [AuthResolver, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [CognitoModule, SessionsModule],
})
export class AuthModule {}
