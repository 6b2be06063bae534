import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';

@Module({
  imports: [CognitoModule],
  providers: [AuthResolver, AuthService, AuthGuard],
  exports: [AuthGuard, CognitoModule],
})
export class AuthModule {}
