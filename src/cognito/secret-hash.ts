import { createHmac } from 'node:crypto';

/** Cognito's SECRET_HASH: required on user calls when the app client has a secret. */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}
