import {
  ConfirmSignUpCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { breaksPolicy, PUBLIC_CODE_ERRORS } from '../cognito-errors';
import { SignUpResult } from '../cognito.types';
import { operation } from '../operation';
import { codeDelivery, undisclosed, UNDISCLOSED_USER_ERRORS } from './code-delivery';

export interface SignUpArgs {
  username: string;
  password: string;
  email: string;
  name?: string;
}

export const signUp = operation({
  name: 'signUp',
  command: SignUpCommand,
  request: ({ username, password, email, name }: SignUpArgs, client) => ({
    ...client.forUser(username),
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }, ...(name ? [{ Name: 'name', Value: name }] : [])],
  }),
  result: (out, { username }): SignUpResult => ({
    username,
    userSub: out.UserSub ?? '',
    userConfirmed: out.UserConfirmed ?? false,
    codeDelivery: out.CodeDeliveryDetails ? codeDelivery(out.CodeDeliveryDetails) : null,
  }),
  // The password that breaks the policy came in the field `password`.
  errors: { InvalidPasswordException: () => breaksPolicy('password') },
});

export const confirmSignUp = operation({
  name: 'confirmSignUp',
  command: ConfirmSignUpCommand,
  request: ({ username, code }: { username: string; code: string }, client) => ({
    ...client.forUser(username),
    ConfirmationCode: code,
  }),
  result: () => true,
  errors: PUBLIC_CODE_ERRORS,
});

/** Has Cognito send the sign-up code again; answers the same whether or not the user exists. */
export const resendConfirmationCode = operation({
  name: 'resendConfirmationCode',
  command: ResendConfirmationCodeCommand,
  request: ({ username }: { username: string }, client) => client.forUser(username),
  result: (out) => undisclosed(out.CodeDeliveryDetails),
  errors: UNDISCLOSED_USER_ERRORS,
});
