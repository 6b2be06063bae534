import {
  AssociateSoftwareTokenCommand,
  AuthenticationResultType,
  ChallengeNameType,
  CodeDeliveryDetailsType,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Injectable, Logger } from '@nestjs/common';
import { readableTimes } from '../common/jwt-claims';
import { BadUserInputError, CodeMismatchError, InternalServerError } from '../errors/app-errors';
import { CognitoClient } from './cognito-client';
import { CognitoCall, hidesUserExistence, isUnrevokableToken, isUnsupported } from './cognito-errors';
import { CodeDeliveryDetails, SignInResult, SignUpResult, Tokens } from './cognito.types';

/**
 * What a reset or resend answers for a user who does not exist (or cannot get a code): the same
 * shape as for one who does, without the address, so the answer does not tell who has an account.
 */
const UNDISCLOSED_DELIVERY: CodeDeliveryDetails = { destination: null, medium: 'EMAIL', attributeName: 'email' };

/** Sign-up, sign-in and sign-out: the calls made before (or to end) a session. */
@Injectable()
export class CognitoService {
  private readonly logger = new Logger('Cognito');
  private readonly unsupportedWarned = new Set<string>();

  constructor(private readonly cognito: CognitoClient) {}

  async signUp(input: { username: string; password: string; email: string; name?: string }): Promise<SignUpResult> {
    const attributes = [{ Name: 'email', Value: input.email }];
    if (input.name) attributes.push({ Name: 'name', Value: input.name });
    const out = await this.cognito.send('signUp', (sdk, options) =>
      sdk.send(
        new SignUpCommand({
          ClientId: this.cognito.clientId,
          SecretHash: this.cognito.secretHash(input.username),
          Username: input.username,
          Password: input.password,
          UserAttributes: attributes,
        }),
        options,
      ),
    );
    return {
      username: input.username,
      userSub: out.UserSub ?? '',
      userConfirmed: out.UserConfirmed ?? false,
      codeDelivery: out.CodeDeliveryDetails ? codeDelivery(out.CodeDeliveryDetails) : null,
    };
  }

  async confirmSignUp(username: string, code: string): Promise<void> {
    await this.cognito.send('confirmSignUp', (sdk, options) =>
      sdk.send(
        new ConfirmSignUpCommand({
          ClientId: this.cognito.clientId,
          SecretHash: this.cognito.secretHash(username),
          Username: username,
          ConfirmationCode: code,
        }),
        options,
      ),
    );
  }

  resendConfirmationCode(username: string): Promise<CodeDeliveryDetails> {
    return this.sendCode('resendCode', username, (sdk, input, options) =>
      sdk.send(new ResendConfirmationCodeCommand(input), options),
    );
  }

  forgotPassword(username: string): Promise<CodeDeliveryDetails> {
    return this.sendCode('forgotPassword', username, (sdk, input, options) =>
      sdk.send(new ForgotPasswordCommand(input), options),
    );
  }

  async confirmForgotPassword(username: string, code: string, newPassword: string): Promise<void> {
    await this.cognito.send('confirmForgotPassword', (sdk, options) =>
      sdk.send(
        new ConfirmForgotPasswordCommand({
          ClientId: this.cognito.clientId,
          SecretHash: this.cognito.secretHash(username),
          Username: username,
          ConfirmationCode: code,
          Password: newPassword,
        }),
        options,
      ),
    );
  }

  /** USER_PASSWORD_AUTH: the app client must allow ALLOW_USER_PASSWORD_AUTH. */
  signIn(username: string, password: string): Promise<SignInResult> {
    return this.cognito.send('signIn', async (sdk, options) =>
      signInResult(
        await sdk.send(
          new InitiateAuthCommand({
            ClientId: this.cognito.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: this.cognito.withSecretHash(username, { USERNAME: username, PASSWORD: password }),
          }),
          options,
        ),
      ),
    );
  }

  /** Answers a challenge from signIn (or from an earlier answer); may lead to a further one. */
  respondToChallenge(
    name: ChallengeNameType,
    username: string,
    session: string,
    responses: Record<string, string>,
  ): Promise<SignInResult> {
    return this.cognito.send('respondToChallenge', async (sdk, options) =>
      signInResult(
        await sdk.send(
          new RespondToAuthChallengeCommand({
            ClientId: this.cognito.clientId,
            ChallengeName: name,
            Session: session,
            ChallengeResponses: this.cognito.withSecretHash(username, { USERNAME: username, ...responses }),
          }),
          options,
        ),
      ),
    );
  }

  /** MFA_SETUP, step 1: a TOTP secret for the user signing in, and the session to go on with. */
  setupTotpForSignIn(session: string): Promise<{ secret: string; session: string }> {
    // Errors of these two are those of a challenge answer (an expired session, a wrong code).
    return this.cognito.send('respondToChallenge', async (sdk, options) => {
      const out = await sdk.send(new AssociateSoftwareTokenCommand({ Session: session }), options);
      if (!out.SecretCode || !out.Session)
        throw new InternalServerError('AssociateSoftwareToken answered without a secret');
      return { secret: out.SecretCode, session: out.Session };
    });
  }

  /** MFA_SETUP, step 2: the first code from the app; the session then answers the challenge. */
  verifyTotpForSignIn(session: string, code: string): Promise<string> {
    return this.cognito.send('respondToChallenge', async (sdk, options) => {
      const out = await sdk.send(new VerifySoftwareTokenCommand({ Session: session, UserCode: code }), options);
      if (out.Status !== 'SUCCESS' || !out.Session) throw new CodeMismatchError('The code is not valid');
      return out.Session;
    });
  }

  /**
   * With a client secret, Cognito checks SECRET_HASH against the username (for pools that sign in
   * by email, the user's `sub`), so the caller must give it.
   */
  async refresh(refreshToken: string, username?: string): Promise<Tokens> {
    if (this.cognito.pool.clientSecret && !username) {
      throw BadUserInputError.forFields([
        { field: 'username', problems: ['is required to refresh tokens, because this app client has a secret'] },
      ]);
    }
    const out = await this.cognito.send('refresh', (sdk, options) =>
      sdk.send(
        new InitiateAuthCommand({
          ClientId: this.cognito.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: this.cognito.withSecretHash(username, { REFRESH_TOKEN: refreshToken }),
        }),
        options,
      ),
    );
    if (!out.AuthenticationResult) throw new InternalServerError('REFRESH_TOKEN_AUTH answered without tokens');
    // Cognito keeps the refresh token unless rotation is on, and then it sends the new one.
    return tokens(out.AuthenticationResult);
  }

  /** Ends every session of the user at Cognito: its refresh tokens stop working. */
  async globalSignOut(accessToken: string): Promise<void> {
    await this.cognito.send(
      'signOut',
      async (sdk, options) => {
        await sdk.send(new GlobalSignOutCommand({ AccessToken: accessToken }), options);
      },
      (error) => this.unsupportedBy('GlobalSignOut', error),
    );
  }

  /**
   * Revokes one refresh token (and the tokens issued from it). Best effort, after the sign-out is
   * recorded: a token Cognito will not revoke (not a refresh token of this client, or gone
   * already) leaves nothing to revoke.
   */
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    const { clientId, clientSecret } = this.cognito.pool;
    await this.cognito.send(
      'signOut',
      async (sdk, options) => {
        await sdk.send(
          new RevokeTokenCommand({ Token: refreshToken, ClientId: clientId, ClientSecret: clientSecret }),
          options,
        );
      },
      (error) => (isUnrevokableToken(error) ? { value: undefined } : this.unsupportedBy('RevokeToken', error)),
    );
  }

  /** Has Cognito send a code to the user, answering the same whether or not the user exists. */
  private sendCode(
    call: CognitoCall,
    username: string,
    request: (
      sdk: CognitoIdentityProviderClient,
      input: { ClientId: string; SecretHash?: string; Username: string },
      options: { abortSignal: AbortSignal },
    ) => Promise<{ CodeDeliveryDetails?: CodeDeliveryDetailsType }>,
  ): Promise<CodeDeliveryDetails> {
    const input = {
      ClientId: this.cognito.clientId,
      SecretHash: this.cognito.secretHash(username),
      Username: username,
    };
    return this.cognito.send(
      call,
      async (sdk, options) => undisclosed((await request(sdk, input, options)).CodeDeliveryDetails),
      (error) => {
        if (!hidesUserExistence(error)) return undefined;
        // Only an existing user can fail delivery: answered as the rest, but an operator must know.
        if ((error as Error).name === 'CodeDeliveryFailureException') {
          this.logger.error(`Cognito could not deliver a code: ${(error as Error).message}`);
        }
        return { value: UNDISCLOSED_DELIVERY };
      },
    );
  }

  /** A pool that cannot do a sign-out step (the emulator lacks GlobalSignOut): our own record still holds. */
  private unsupportedBy(operation: string, error: unknown): { value: void } | undefined {
    if (!isUnsupported(error)) return undefined;
    if (!this.unsupportedWarned.has(operation)) {
      this.unsupportedWarned.add(operation);
      this.logger.warn(`This user pool does not support ${operation}: the sign-out is enforced by this server only`);
    }
    return { value: undefined };
  }
}

function signInResult(out: {
  AuthenticationResult?: AuthenticationResultType;
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
}): SignInResult {
  if (out.AuthenticationResult) return tokens(out.AuthenticationResult);
  if (out.ChallengeName) {
    return {
      name: out.ChallengeName,
      session: out.Session ?? '',
      parameters: Object.entries(out.ChallengeParameters ?? {}).map(([name, value]) => ({ name, value })),
    };
  }
  throw new InternalServerError('Cognito answered with neither tokens nor a challenge');
}

function tokens(result: AuthenticationResultType): Tokens {
  if (!result.AccessToken || !result.IdToken) throw new InternalServerError('Cognito answered without tokens');
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken ?? null,
    expiresIn: lifetime(result.AccessToken) ?? result.ExpiresIn ?? 3600,
    tokenType: result.TokenType ?? 'Bearer',
  };
}

/**
 * The life the access token has, from its own `exp` and `iat`: what AWS's ExpiresIn says, and the
 * truth where an emulator's differs (cognito-local answers 3600 for tokens that live 24 hours).
 * Read without a signature check: the token comes straight from Cognito.
 */
function lifetime(accessToken: string): number | undefined {
  const { iat, exp } = readableTimes(accessToken) ?? {};
  return iat !== undefined && exp !== undefined && exp > iat ? exp - iat : undefined;
}

function codeDelivery(details: CodeDeliveryDetailsType): CodeDeliveryDetails {
  return {
    destination: details.Destination ?? null,
    medium: details.DeliveryMedium ?? null,
    attributeName: details.AttributeName ?? null,
  };
}

/** As UNDISCLOSED_DELIVERY, for a user who exists: same shape, no address. */
function undisclosed(details: CodeDeliveryDetailsType | undefined): CodeDeliveryDetails {
  return {
    ...UNDISCLOSED_DELIVERY,
    medium: details?.DeliveryMedium ?? 'EMAIL',
    attributeName: details?.AttributeName ?? 'email',
  };
}
