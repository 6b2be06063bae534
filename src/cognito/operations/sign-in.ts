import {
  AuthenticationResultType,
  InitiateAuthCommand,
  InitiateAuthCommandOutput,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { readableTimes } from '../../common/jwt-claims';
import { BadUserInputError, InternalServerError, UnauthenticatedError } from '../../errors/app-errors';
import { INVALID_CREDENTIALS, MISCONFIGURED_CLIENT_ERRORS } from '../cognito-errors';
import { ChallengeName, SignInResult, Tokens } from '../cognito.types';
import { operation } from '../operation';

/** USER_PASSWORD_AUTH: the app client must allow ALLOW_USER_PASSWORD_AUTH. */
export const signIn = operation({
  name: 'signIn',
  command: InitiateAuthCommand,
  request: ({ username, password }: { username: string; password: string }, client) => ({
    ClientId: client.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH' as const,
    AuthParameters: client.withSecretHash(username, { USERNAME: username, PASSWORD: password }),
  }),
  result: signInResult,
  // Every refusal of the credentials gets one answer: no account enumeration.
  errors: {
    ...MISCONFIGURED_CLIENT_ERRORS,
    NotAuthorizedException: invalidCredentials,
    UserNotFoundException: invalidCredentials,
    // cognito-local says this for a wrong password, where AWS says NotAuthorized.
    InvalidPasswordException: invalidCredentials,
  },
});

export interface ChallengeAnswer {
  name: ChallengeName;
  username: string;
  session: string;
  responses: Record<string, string>;
}

/** Answers a challenge from signIn (or from an earlier answer); may lead to a further one. */
export const respondToChallenge = operation({
  name: 'respondToChallenge',
  command: RespondToAuthChallengeCommand,
  request: ({ name, username, session, responses }: ChallengeAnswer, client) => ({
    ClientId: client.clientId,
    ChallengeName: name,
    Session: session,
    ChallengeResponses: client.withSecretHash(username, { USERNAME: username, ...responses }),
  }),
  result: signInResult,
});

/**
 * REFRESH_TOKEN_AUTH. With a client secret, Cognito checks SECRET_HASH against the username (for
 * pools that sign in by email, the user's `sub`), so the caller must give it.
 */
export const refreshTokens = operation({
  name: 'refreshTokens',
  command: InitiateAuthCommand,
  request: ({ refreshToken, username }: { refreshToken: string; username?: string }, client) => {
    if (client.clientSecret && !username) {
      throw BadUserInputError.forFields([
        { field: 'username', problems: ['is required to refresh tokens, because this app client has a secret'] },
      ]);
    }
    return {
      ClientId: client.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH' as const,
      AuthParameters: client.withSecretHash(username, { REFRESH_TOKEN: refreshToken }),
    };
  },
  // Cognito keeps the refresh token unless rotation is on, and then it sends the new one.
  result: (out): Tokens => {
    if (!out.AuthenticationResult) throw new InternalServerError('REFRESH_TOKEN_AUTH answered without tokens');
    return tokens(out.AuthenticationResult);
  },
  errors: {
    ...MISCONFIGURED_CLIENT_ERRORS,
    NotAuthorizedException: refreshRefused,
    UserNotFoundException: refreshRefused,
  },
});

function invalidCredentials(): UnauthenticatedError {
  return new UnauthenticatedError(INVALID_CREDENTIALS);
}

function refreshRefused(): UnauthenticatedError {
  return new UnauthenticatedError('The refresh token is invalid, expired or revoked: sign in again');
}

function signInResult(
  out: Pick<InitiateAuthCommandOutput, 'AuthenticationResult' | 'ChallengeName' | 'Session' | 'ChallengeParameters'>,
): SignInResult {
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
