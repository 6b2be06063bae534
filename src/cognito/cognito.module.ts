import { Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { LocalCognitoService } from '../local-cognito/local-cognito.service';
import { COGNITO_POOL } from './cognito.constants';
import { describePool } from './cognito-pool';
import { CognitoAccountService } from './cognito-account.service';
import { CognitoClient } from './cognito-client';
import { CognitoProbe } from './cognito-probe';
import { CognitoService } from './cognito.service';
import { TokenVerifier } from './token-verifier';

@Module({
  providers: [
    LocalCognitoService,
    {
      provide: COGNITO_POOL,
      inject: [APP_CONFIG, LocalCognitoService],
      useFactory: (config: AppConfig, local: LocalCognitoService) =>
        config.cognito.kind === 'pool'
          ? describePool(config.cognito)
          : local.start(config.cognito, config.passwordPolicy),
    },
    CognitoClient,
    CognitoService,
    CognitoAccountService,
    TokenVerifier,
    CognitoProbe,
  ],
  exports: [CognitoService, CognitoAccountService, TokenVerifier, CognitoProbe, COGNITO_POOL],
})
export class CognitoModule {}
