import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { PasswordResolver } from './password.resolver';
import { PasswordService } from './password.service';

@Module({
  imports: [AuthModule],
  providers: [PasswordResolver, PasswordService],
})
export class PasswordModule {}
