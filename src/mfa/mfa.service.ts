import { Injectable } from '@nestjs/common';
import { CognitoGateway } from '../cognito/cognito-gateway';
import { associateSoftwareToken, preferTotp, verifySoftwareToken } from '../cognito/operations/mfa';
import { otpauthUri } from '../common/otpauth';
import { TokenUser } from '../common/token-user';
import { Setting } from '../config/config.module';
import { VerifyTotpInput } from './dto/verify-totp.input';
import { TotpSetup } from './models/totp-setup.model';

@Injectable()
export class MfaService {
  constructor(
    private readonly cognito: CognitoGateway,
    @Setting('totpIssuer') private readonly totpIssuer: string,
  ) {}

  /** Starts TOTP set-up: the secret for the user's authenticator app, also as an otpauth:// URI. */
  async setupTotp(user: TokenUser): Promise<TotpSetup> {
    const { secret } = await this.cognito.run(associateSoftwareToken, { accessToken: user.accessToken });
    return { secretCode: secret, otpauthUri: otpauthUri(this.totpIssuer, user.username, secret) };
  }

  /** Checks a first code from the authenticator app, then makes TOTP the user's MFA. */
  async verifyTotp(user: TokenUser, { code, deviceName }: VerifyTotpInput): Promise<boolean> {
    const { accessToken } = user;
    await this.cognito.run(verifySoftwareToken, { accessToken, code, deviceName });
    return this.cognito.run(preferTotp, { accessToken });
  }
}
