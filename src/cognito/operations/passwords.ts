import {
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { breaksPolicy, PUBLIC_CODE_ERRORS, refusedCredential, wrongCurrentPassword } from '../cognito-errors';
import { CognitoFailure, operation } from '../operation';
import { undisclosed, UNDISCLOSED_USER_ERRORS } from './code-delivery';

/** Has Cognito send a reset code; answers the same whether or not the user exists. */
export const forgotPassword = operation({
  name: 'forgotPassword',
  command: ForgotPasswordCommand,
  request: ({ username }: { username: string }, client) => client.forUser(username),
  result: (out) => undisclosed(out.CodeDeliveryDetails),
  errors: UNDISCLOSED_USER_ERRORS,
});

export const confirmForgotPassword = operation({
  name: 'confirmForgotPassword',
  command: ConfirmForgotPasswordCommand,
  request: ({ username, code, newPassword }: { username: string; code: string; newPassword: string }, client) => ({
    ...client.forUser(username),
    ConfirmationCode: code,
    Password: newPassword,
  }),
  result: () => true,
  errors: PUBLIC_CODE_ERRORS,
});

export const changePassword = operation({
  name: 'changePassword',
  command: ChangePasswordCommand,
  request: ({ accessToken, currentPassword, newPassword }: ChangePasswordArgs) => ({
    AccessToken: accessToken,
    PreviousPassword: currentPassword,
    ProposedPassword: newPassword,
  }),
  result: () => true,
  // cognito-local says InvalidPassword for a wrong current password (AWS: NotAuthorized), and AWS
  // says it for a new one that breaks the policy.
  errors: {
    InvalidPasswordException: ({ message }) =>
      /conform|policy|length|character/i.test(message) ? breaksPolicy('newPassword') : wrongCurrentPassword(),
    NotAuthorizedException: currentPasswordOrToken,
    UserNotFoundException: currentPasswordOrToken,
  },
});

export interface ChangePasswordArgs {
  accessToken: string;
  currentPassword: string;
  newPassword: string;
}

/** Cognito names the password when it is the current one that is wrong; else the token is refused. */
function currentPasswordOrToken(failure: CognitoFailure) {
  return /password/i.test(failure.message) ? wrongCurrentPassword() : refusedCredential(failure);
}
