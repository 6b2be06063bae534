import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CognitoService } from '../cognito/cognito.service';
import { SignInResult, SignUpResult, Tokens } from '../cognito/cognito.types';
import { BadUserInputError } from '../errors/app-errors';
import { AuthenticateInput, ConfirmRegistrationInput, RefreshTokensInput, RegisterInput } from './dto/auth.inputs';
import { passwordProblems } from './password-policy';

@Injectable()
export class AuthService {
  constructor(
    private readonly cognito: CognitoService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(input: RegisterInput): Promise<SignUpResult> {
    const problems = passwordProblems(input.password, this.config.passwordPolicy);
    if (problems.length > 0) throw BadUserInputError.forFields([{ field: 'password', problems }]);
    return this.cognito.signUp(input);
  }

  async confirmRegistration({ username, code }: ConfirmRegistrationInput): Promise<boolean> {
    await this.cognito.confirmSignUp(username, code);
    return true;
  }

  authenticate({ username, password }: AuthenticateInput): Promise<SignInResult> {
    return this.cognito.signIn(username, password);
  }

  refreshTokens({ refreshToken, username }: RefreshTokensInput): Promise<Tokens> {
    return this.cognito.refresh(refreshToken, username);
  }
}
