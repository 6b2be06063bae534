import { Inject, Injectable } from '@nestjs/common';
import { CognitoAccountService } from '../cognito/cognito-account.service';
import { TokenUser } from '../cognito/cognito.types';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { VerifyTotpInput } from './dto/verify-totp.input';
import { TotpSetup } from './models/totp-setup.model';
import { otpauthUri } from './otpauth';

@Injectable()
export class MfaService {
  constructor(
    private readonly account: CognitoAccountService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async setupTotp(user: TokenUser): Promise<TotpSetup> {
    const secretCode = await this.account.setupTotp(user.accessToken);
    return { secretCode, otpauthUri: otpauthUri(this.config.totpIssuer, user.username, secretCode) };
  }

  async verifyTotp(user: TokenUser, { code, deviceName }: VerifyTotpInput): Promise<boolean> {
    await this.account.verifyTotp(user.accessToken, code, deviceName);
    return true;
  }
}
