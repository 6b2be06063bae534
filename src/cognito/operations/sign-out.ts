import { GlobalSignOutCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { signOutStepUnsupported } from '../cognito-errors';
import { ErrorHandler, operation } from '../operation';

/** Ends every session of the user at Cognito: its refresh tokens stop working. */
export const globalSignOut = operation({
  name: 'globalSignOut',
  command: GlobalSignOutCommand,
  request: ({ accessToken }: { accessToken: string }) => ({ AccessToken: accessToken }),
  result: () => undefined,
  errors: signOutStepUnsupported('GlobalSignOut'),
});

/** Nothing to revoke: not a refresh token of this app client, or one gone already. */
const alreadyUnusable: ErrorHandler<void> = () => ({ answer: undefined });

/**
 * Revokes one refresh token (and the tokens issued from it). Best effort, after the sign-out is
 * recorded: a token Cognito will not revoke leaves nothing to revoke.
 */
export const revokeToken = operation({
  name: 'revokeToken',
  command: RevokeTokenCommand,
  request: ({ refreshToken }: { refreshToken: string }, client) => ({
    Token: refreshToken,
    ClientId: client.clientId,
    ClientSecret: client.clientSecret,
  }),
  result: () => undefined,
  errors: {
    ...signOutStepUnsupported('RevokeToken'),
    UnsupportedTokenTypeException: alreadyUnusable,
    UnauthorizedException: alreadyUnusable,
    NotAuthorizedException: alreadyUnusable,
    InvalidParameterException: alreadyUnusable,
  },
});
