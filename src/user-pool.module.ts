import { DynamicModule, Global, Module } from '@nestjs/common';
import { COGNITO_POOL } from './cognito/cognito.constants';
import { describePool } from './cognito/cognito-pool';
import { AppConfig } from './config/config';
import { LocalCognitoService } from './local-cognito/local-cognito.service';

/**
 * Which user pool the server talks to: the one configured, or, with no Cognito settings, the
 * embedded emulator's, started here. Part of the bootstrap, so that nothing else imports the
 * emulator (a rule of .dependency-cruiser.js).
 */
@Global()
@Module({})
export class UserPoolModule {
  static forRoot(config: Pick<AppConfig, 'cognito' | 'passwordPolicy'>): DynamicModule {
    const { cognito, passwordPolicy } = config;
    return {
      module: UserPoolModule,
      providers: [
        ...(cognito.kind === 'embedded' ? [LocalCognitoService] : []),
        cognito.kind === 'pool'
          ? { provide: COGNITO_POOL, useValue: describePool(cognito) }
          : {
              provide: COGNITO_POOL,
              inject: [LocalCognitoService],
              useFactory: (local: LocalCognitoService) => local.start(cognito, passwordPolicy),
            },
      ],
      exports: [COGNITO_POOL],
    };
  }
}
