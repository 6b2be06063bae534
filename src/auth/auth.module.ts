import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';

/** Sign-up and sign-in: register, confirm, authenticate, challenges, refresh and sign-out. */
@Module({
  imports: [CognitoModule, SessionsModule],
  providers: [AuthResolver, AuthService],
})
export class AuthModule {}
