import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersResolver } from './users.resolver';
import { UsersService } from './users.service';

@Module({
  imports: [CognitoModule, SessionsModule],
  providers: [UsersResolver, UsersService],
})
export class UsersModule {}
