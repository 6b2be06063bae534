import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { SessionsModule } from '../sessions/sessions.module';
import { HealthController } from './health.controller';

@Module({ imports: [CognitoModule, SessionsModule], controllers: [HealthController] })
export class HealthModule {}
