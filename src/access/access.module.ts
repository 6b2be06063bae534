import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthGuard } from './auth.guard';

/**
 * Who may call what: the default-deny guard on every resolver (and field resolver), and the
 * decorators that open one (@Public) or narrow it (@Groups). Below the features, which use the
 * decorators and @CurrentUser.
 */
@Module({
  imports: [CognitoModule, SessionsModule],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
})
export class AccessModule {}
