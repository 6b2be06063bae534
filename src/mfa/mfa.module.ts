import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { MfaResolver } from './mfa.resolver';
import { MfaService } from './mfa.service';

@Module({
  imports: [CognitoModule, SessionsModule],
  providers: [MfaResolver, MfaService],
})
export class MfaModule {}
