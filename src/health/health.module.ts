import { Module } from '@nestjs/common';
import { CognitoModule } from '../cognito/cognito.module';
import { HealthController } from './health.controller';

@Module({ imports: [CognitoModule], controllers: [HealthController] })
export class HealthModule {}
