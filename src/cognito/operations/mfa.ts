import {
  AssociateSoftwareTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { InternalServerError } from '../../errors/app-errors';
import { wrongCode } from '../cognito-errors';
import { operation } from '../operation';

/**
 * Who sets up TOTP: a signed-in user (their access token), or a user signing in whom the pool
 * asks to (the MFA_SETUP challenge's session). Cognito refuses either credential as such: see
 * the default table's NotAuthorizedException.
 */
export type TotpCredential = { accessToken: string } | { session: string };

const credential = (who: TotpCredential) =>
  'accessToken' in who ? { AccessToken: who.accessToken } : { Session: who.session };

/**
 * A TOTP secret for the user's authenticator app; when signing in, the session to go on with
 * (with an access token, `session` is '').
 */
export const associateSoftwareToken = operation({
  name: 'associateSoftwareToken',
  command: AssociateSoftwareTokenCommand,
  request: credential,
  result: (out, who) => {
    if (!out.SecretCode || ('session' in who && !out.Session)) {
      throw new InternalServerError('AssociateSoftwareToken answered without a secret');
    }
    return { secret: out.SecretCode, session: out.Session ?? '' };
  },
});

/**
 * Checks a first code from the authenticator app; when signing in, answers the session that then
 * answers the MFA_SETUP challenge (with an access token, '').
 */
export const verifySoftwareToken = operation({
  name: 'verifySoftwareToken',
  command: VerifySoftwareTokenCommand,
  request: ({ code, deviceName, ...who }: TotpCredential & { code: string; deviceName?: string }) => ({
    ...credential(who),
    UserCode: code,
    FriendlyDeviceName: deviceName,
  }),
  result: (out, who) => {
    if (out.Status !== 'SUCCESS' || ('session' in who && !out.Session)) throw wrongCode();
    return out.Session ?? '';
  },
});

/** Makes TOTP the user's preferred MFA. */
export const preferTotp = operation({
  name: 'setUserMfaPreference',
  command: SetUserMFAPreferenceCommand,
  request: ({ accessToken }: { accessToken: string }) => ({
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  }),
  result: () => true,
});
