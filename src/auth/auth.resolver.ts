import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CodeDeliveryDetails, SignInResult, SignUpResult, Tokens } from '../cognito/cognito.types';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { AuthService } from './auth.service';
import { CurrentUser } from '../access/current-user.decorator';
import { Public } from '../access/decorators';
import {
  AuthenticateInput,
  ConfirmRegistrationInput,
  MfaChallengeInput,
  NewPasswordChallengeInput,
  RefreshTokensInput,
  RegisterInput,
} from './dto/auth.inputs';
import { AuthResult, AuthTokens, RegisterResult } from './models/auth.models';
import { TokenUser } from '../common/token-user';
import { UsernameInput } from '../common/dto/username.input';
import { CodeDelivery } from '../common/models/code-delivery.model';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('send')
  @Mutation(() => RegisterResult, {
    description: 'Creates an account. Unless the pool confirms users itself, a code is sent for `confirmRegistration`.',
  })
  register(@Args('input', { description: 'The new account.' }) input: RegisterInput): Promise<SignUpResult> {
    return this.auth.register(input);
  }

  @Public()
  @RateLimit('attempt')
  @Mutation(() => Boolean, {
    description: 'Confirms a new account with the code that `register` sent. True when done.',
  })
  confirmRegistration(
    @Args('input', { description: 'Username and code.' }) input: ConfirmRegistrationInput,
  ): Promise<boolean> {
    return this.auth.confirmRegistration(input);
  }

  @Public()
  @RateLimit('send')
  @Mutation(() => CodeDelivery, {
    description:
      'Sends the confirmation code again. Answers the same whether or not the user exists, so the address is not shown.',
  })
  resendConfirmationCode(
    @Args('input', { description: 'Whose code.' }) input: UsernameInput,
  ): Promise<CodeDeliveryDetails> {
    return this.auth.resendConfirmationCode(input.username);
  }

  @Public()
  @RateLimit('attempt')
  @Mutation(() => AuthResult, {
    description: 'Signs in with username and password: the tokens of a new session, or a challenge to answer first.',
  })
  authenticate(
    @Args('input', { description: 'Username and password.' }) input: AuthenticateInput,
  ): Promise<SignInResult> {
    return this.auth.authenticate(input);
  }

  @Public()
  @RateLimit('attempt')
  @Mutation(() => AuthResult, {
    description: 'Answers NEW_PASSWORD_REQUIRED (e.g. a user an administrator created) with a new password.',
  })
  respondToNewPasswordChallenge(
    @Args('input', { description: 'The challenge and the new password.' }) input: NewPasswordChallengeInput,
  ): Promise<SignInResult> {
    return this.auth.respondToNewPasswordChallenge(input);
  }

  @Public()
  @RateLimit('attempt')
  @Mutation(() => AuthResult, {
    description:
      'Answers SMS_MFA or SOFTWARE_TOKEN_MFA with a code, SELECT_MFA_TYPE with the chosen type, or MFA_SETUP with the ' +
      'first code of the authenticator app set up from the challenge parameters SECRET_CODE / OTPAUTH_URI.',
  })
  respondToMfaChallenge(
    @Args('input', { description: 'The challenge and its answer.' }) input: MfaChallengeInput,
  ): Promise<SignInResult> {
    return this.auth.respondToMfaChallenge(input);
  }

  @Public()
  @RateLimit('refresh')
  @Mutation(() => AuthTokens, { description: 'Trades a refresh token for new access and ID tokens.' })
  refreshTokens(@Args('input', { description: 'The refresh token.' }) input: RefreshTokensInput): Promise<Tokens> {
    return this.auth.refreshTokens(input);
  }

  @Mutation(() => Boolean, {
    description:
      "Signs the user out of every session: this server refuses their tokens from now on, and Cognito's refresh " +
      'tokens stop working. True when done.',
  })
  signOut(
    @CurrentUser() user: TokenUser,
    @Args('refreshToken', {
      nullable: true,
      description: "This session's refresh token, revoked too (for pools that cannot sign out globally).",
    })
    refreshToken?: string,
  ): Promise<boolean> {
    return this.auth.signOut(user, refreshToken);
  }
}
