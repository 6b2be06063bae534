import {
  CodeDeliveryDetailsType,
  ConfirmSignUpCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PUBLIC_CODE_ERRORS, SIGN_UP_PASSWORD_ERRORS, undisclosedUser } from '../cognito-errors';
import { CodeDeliveryDetails, SignUpResult } from '../cognito.types';
import { operation } from '../operation';

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
    ...client.identify(username),
    Username: username,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }, ...(name ? [{ Name: 'name', Value: name }] : [])],
  }),
  result: (out, { username }): SignUpResult => ({
    username,
    userSub: out.UserSub ?? '',
    userConfirmed: out.UserConfirmed ?? false,
    codeDelivery: out.CodeDeliveryDetails ? codeDelivery(out.CodeDeliveryDetails) : null,
  }),
  errors: SIGN_UP_PASSWORD_ERRORS,
});

export const confirmSignUp = operation({
  name: 'confirmSignUp',
  command: ConfirmSignUpCommand,
  request: ({ username, code }: { username: string; code: string }, client) => ({
    ...client.identify(username),
    Username: username,
    ConfirmationCode: code,
  }),
  result: () => true,
  errors: PUBLIC_CODE_ERRORS,
});

/**
 * What a reset or resend answers for a user who does not exist (or cannot get a code): the same
 * shape as for one who does, without the address, so the answer does not tell who has an account.
 */
const UNDISCLOSED_DELIVERY: CodeDeliveryDetails = { destination: null, medium: 'EMAIL', attributeName: 'email' };

/** As UNDISCLOSED_DELIVERY, for a user who exists: same shape, no address. */
export function undisclosed(details: CodeDeliveryDetailsType | undefined): CodeDeliveryDetails {
  return {
    ...UNDISCLOSED_DELIVERY,
    medium: details?.DeliveryMedium ?? 'EMAIL',
    attributeName: details?.AttributeName ?? 'email',
  };
}

/** Errors that would tell whether the user exists are answered as a known user's request. */
export const UNDISCLOSED_USER_ERRORS = undisclosedUser(UNDISCLOSED_DELIVERY);

/** Has Cognito send the sign-up code again; answers the same whether or not the user exists. */
export const resendConfirmationCode = operation({
  name: 'resendConfirmationCode',
  command: ResendConfirmationCodeCommand,
  request: ({ username }: { username: string }, client) => ({ ...client.identify(username), Username: username }),
  result: (out) => undisclosed(out.CodeDeliveryDetails),
  errors: UNDISCLOSED_USER_ERRORS,
});

function codeDelivery(details: CodeDeliveryDetailsType): CodeDeliveryDetails {
  return {
    destination: details.Destination ?? null,
    medium: details.DeliveryMedium ?? null,
    attributeName: details.AttributeName ?? null,
  };
}
