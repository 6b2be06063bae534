import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MfaResolver } from './mfa.resolver';
import { MfaService } from './mfa.service';

@Module({
  imports: [AuthModule],
  providers: [MfaResolver, MfaService],
})
export class MfaModule {}
