import {
  DeleteUserCommand,
  GetUserCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { MISCONFIGURED_CLIENT_ERRORS, wrongCode } from '../cognito-errors';
import { UserProfile } from '../cognito.types';
import { operation } from '../operation';

export const getUser = operation({
  name: 'getUser',
  command: GetUserCommand,
  request: ({ accessToken }: { accessToken: string }) => ({ AccessToken: accessToken }),
  result: (out): UserProfile => {
    const attribute = (name: string) => out.UserAttributes?.find((a) => a.Name === name)?.Value;
    const verified = attribute('email_verified');
    return {
      email: attribute('email') ?? null,
      emailVerified: verified === undefined ? null : verified === 'true',
      name: attribute('name') ?? null,
    };
  },
  errors: MISCONFIGURED_CLIENT_ERRORS,
});

/** A new email is only taken once verified with the code Cognito sends (see verifyEmail). */
export const updateUserAttributes = operation({
  name: 'updateUserAttributes',
  command: UpdateUserAttributesCommand,
  request: ({ accessToken, attributes }: { accessToken: string; attributes: Record<string, string> }) => ({
    AccessToken: accessToken,
    UserAttributes: Object.entries(attributes).map(([name, value]) => ({ Name: name, Value: value })),
  }),
  result: () => true,
});

export const verifyEmail = operation({
  name: 'verifyEmail',
  command: VerifyUserAttributeCommand,
  request: ({ accessToken, code }: { accessToken: string; code: string }) => ({
    AccessToken: accessToken,
    AttributeName: 'email',
    Code: code,
  }),
  result: () => true,
  // An unknown user is answered as a wrong code.
  errors: { NotAuthorizedException: wrongCode, UserNotFoundException: wrongCode },
});

export const deleteUser = operation({
  name: 'deleteUser',
  command: DeleteUserCommand,
  request: ({ accessToken }: { accessToken: string }) => ({ AccessToken: accessToken }),
  result: () => true,
});
