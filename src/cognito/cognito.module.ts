import { Module } from '@nestjs/common';
import { CognitoGateway } from './cognito-gateway';
import { CognitoProbe } from './cognito-probe';
import { TokenVerifier } from './token-verifier';

/**
 * The user pool's API (the gateway and its operations/), token verification and the readiness
 * probe. The pool itself (COGNITO_POOL: the one configured, or the embedded emulator's) is
 * provided by the bootstrap, which alone knows of the emulator (src/user-pool.module.ts).
 */
@Module({
  providers: [CognitoGateway, TokenVerifier, CognitoProbe],
  exports: [CognitoGateway, TokenVerifier, CognitoProbe],
})
export class CognitoModule {}
