import {
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  DeleteUserCommand,
  GetUserCommand,
  SetUserMFAPreferenceCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Injectable } from '@nestjs/common';
import { CodeMismatchError, InternalServerError } from '../errors/app-errors';
import { CognitoClient } from './cognito-client';
import { UserProfile } from './cognito.types';

/** What a signed-in user does to their own account, with their access token. */
@Injectable()
export class CognitoAccountService {
  constructor(private readonly cognito: CognitoClient) {}

  getUser(accessToken: string): Promise<UserProfile> {
    return this.cognito.send('getUser', async (sdk, options) => {
      const out = await sdk.send(new GetUserCommand({ AccessToken: accessToken }), options);
      const attribute = (name: string) => out.UserAttributes?.find((a) => a.Name === name)?.Value;
      const verified = attribute('email_verified');
      return {
        email: attribute('email') ?? null,
        emailVerified: verified === undefined ? null : verified === 'true',
        name: attribute('name') ?? null,
      };
    });
  }

  /** A new email is only taken once verified with the code Cognito sends (see verifyEmail). */
  async updateUser(accessToken: string, changes: { email?: string; name?: string }): Promise<void> {
    const attributes = Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => ({ Name: name, Value: value }));
    if (attributes.length === 0) return;
    await this.cognito.send('updateUser', (sdk, options) =>
      sdk.send(new UpdateUserAttributesCommand({ AccessToken: accessToken, UserAttributes: attributes }), options),
    );
  }

  async verifyEmail(accessToken: string, code: string): Promise<void> {
    await this.cognito.send('verifyEmail', (sdk, options) =>
      sdk.send(
        new VerifyUserAttributeCommand({ AccessToken: accessToken, AttributeName: 'email', Code: code }),
        options,
      ),
    );
  }

  async changePassword(accessToken: string, currentPassword: string, newPassword: string): Promise<void> {
    await this.cognito.send('changePassword', (sdk, options) =>
      sdk.send(
        new ChangePasswordCommand({
          AccessToken: accessToken,
          PreviousPassword: currentPassword,
          ProposedPassword: newPassword,
        }),
        options,
      ),
    );
  }

  async deleteUser(accessToken: string): Promise<void> {
    await this.cognito.send('deleteUser', (sdk, options) =>
      sdk.send(new DeleteUserCommand({ AccessToken: accessToken }), options),
    );
  }

  /** Starts TOTP set-up: the secret for the user's authenticator app. */
  setupTotp(accessToken: string): Promise<string> {
    return this.cognito.send('setupTotp', async (sdk, options) => {
      const out = await sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }), options);
      if (!out.SecretCode) throw new InternalServerError('AssociateSoftwareToken answered without a secret');
      return out.SecretCode;
    });
  }

  /** Checks a first code from the authenticator app, then makes TOTP the user's MFA. */
  async verifyTotp(accessToken: string, code: string, deviceName?: string): Promise<void> {
    await this.cognito.send('verifyTotp', async (sdk, options) => {
      const out = await sdk.send(
        new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: code, FriendlyDeviceName: deviceName }),
        options,
      );
      if (out.Status !== 'SUCCESS') throw new CodeMismatchError('The code is not valid');
    });
    await this.cognito.send('verifyTotp', (sdk, options) =>
      sdk.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: accessToken,
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
        options,
      ),
    );
  }
}
