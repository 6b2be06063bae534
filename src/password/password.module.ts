import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { PasswordResolver } from './password.resolver';
import { PasswordService } from './password.service';

@Module({
  imports: [CognitoModule, SessionsModule],
  providers: [PasswordResolver, PasswordService],
})
export class PasswordModule {}
