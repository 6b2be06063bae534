import { Inject, Injectable } from '@nestjs/common';
import { assertPasswordPolicy } from '../auth/password-policy';
import { CognitoAccountService } from '../cognito/cognito-account.service';
import { CognitoService } from '../cognito/cognito.service';
import { CodeDeliveryDetails, TokenUser } from '../cognito/cognito.types';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { BadUserInputError } from '../errors/app-errors';
import { SessionsService } from '../sessions/sessions.service';
import { ChangePasswordInput, ConfirmForgotPasswordInput } from './dto/password.inputs';

@Injectable()
export class PasswordService {
  constructor(
    private readonly cognito: CognitoService,
    private readonly account: CognitoAccountService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  forgotPassword(username: string): Promise<CodeDeliveryDetails> {
    return this.cognito.forgotPassword(username);
  }

  async confirmForgotPassword({ username, code, newPassword }: ConfirmForgotPasswordInput): Promise<boolean> {
    assertPasswordPolicy(newPassword, this.config.passwordPolicy, 'newPassword');
    await this.cognito.confirmForgotPassword(username, code, newPassword);
    return true;
  }

  /** Changes the password and ends the user's other sessions; this one goes on. */
  async changePassword(user: TokenUser, { currentPassword, newPassword }: ChangePasswordInput): Promise<boolean> {
    if (newPassword === currentPassword) {
      throw BadUserInputError.forFields([
        { field: 'newPassword', problems: ['must differ from the current password'] },
      ]);
    }
    assertPasswordPolicy(newPassword, this.config.passwordPolicy, 'newPassword');
    await this.account.changePassword(user.accessToken, currentPassword, newPassword);
    await this.sessions.endOthers(user);
    return true;
  }
}
