import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { SignInResult, SignUpResult, Tokens } from '../cognito/cognito.types';
import { AuthService } from './auth.service';
import { AuthenticateInput, ConfirmRegistrationInput, RefreshTokensInput, RegisterInput } from './dto/auth.inputs';
import { AuthResult, AuthTokens, RegisterResult } from './models/auth.models';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Mutation(() => RegisterResult, {
    description: 'Creates an account. Unless the pool confirms users itself, a code is sent for `confirmRegistration`.',
  })
  register(@Args('input', { description: 'The new account.' }) input: RegisterInput): Promise<SignUpResult> {
    return this.auth.register(input);
  }

  @Mutation(() => Boolean, {
    description: 'Confirms a new account with the code that `register` sent. True when done.',
  })
  confirmRegistration(
    @Args('input', { description: 'Username and code.' }) input: ConfirmRegistrationInput,
  ): Promise<boolean> {
    return this.auth.confirmRegistration(input);
  }

  @Mutation(() => AuthResult, {
    description: 'Signs in with username and password: the tokens of a new session, or a challenge to answer first.',
  })
  authenticate(
    @Args('input', { description: 'Username and password.' }) input: AuthenticateInput,
  ): Promise<SignInResult> {
    return this.auth.authenticate(input);
  }

  @Mutation(() => AuthTokens, { description: 'Trades a refresh token for new access and ID tokens.' })
  refreshTokens(@Args('input', { description: 'The refresh token.' }) input: RefreshTokensInput): Promise<Tokens> {
    return this.auth.refreshTokens(input);
  }
}
