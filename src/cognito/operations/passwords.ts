import {
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CHANGE_PASSWORD_ERRORS, PUBLIC_CODE_ERRORS } from '../cognito-errors';
import { operation } from '../operation';
import { undisclosed, UNDISCLOSED_USER_ERRORS } from './sign-up';

/** Has Cognito send a reset code; answers the same whether or not the user exists. */
export const forgotPassword = operation({
  name: 'forgotPassword',
  command: ForgotPasswordCommand,
  request: ({ username }: { username: string }, client) => ({ ...client.identify(username), Username: username }),
  result: (out) => undisclosed(out.CodeDeliveryDetails),
  errors: UNDISCLOSED_USER_ERRORS,
});

export const confirmForgotPassword = operation({
  name: 'confirmForgotPassword',
  command: ConfirmForgotPasswordCommand,
  request: ({ username, code, newPassword }: { username: string; code: string; newPassword: string }, client) => ({
    ...client.identify(username),
    Username: username,
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
  errors: CHANGE_PASSWORD_ERRORS,
});

export interface ChangePasswordArgs {
  accessToken: string;
  currentPassword: string;
  newPassword: string;
}
