import { createHmac } from 'node:crypto';
import { CognitoPool } from './cognito-pool';

/**
 * The app client our requests speak for: operations' request builders add what it requires
 * (ClientId; SECRET_HASH, or RevokeToken's ClientSecret, when it has a secret), so that no call
 * site does.
 */
export class AppClient {
  readonly clientId: string;
  readonly clientSecret?: string;

  constructor(pool: Pick<CognitoPool, 'clientId' | 'clientSecret'>) {
    this.clientId = pool.clientId;
    this.clientSecret = pool.clientSecret;
  }

  /**
   * The request fields of a call about one user (SignUp, ForgotPassword, …): ClientId, Username,
   * and SecretHash for that username when the client has a secret.
   */
  forUser(username: string): { ClientId: string; SecretHash?: string; Username: string } {
    return { ClientId: this.clientId, SecretHash: this.secretHash(username), Username: username };
  }

  /** Auth parameters (or challenge responses) with SECRET_HASH added when the client has a secret. */
  withSecretHash(username: string | undefined, parameters: Record<string, string>): Record<string, string> {
    const hash = this.secretHash(username);
    return hash ? { ...parameters, SECRET_HASH: hash } : parameters;
  }

  /** Cognito's SECRET_HASH: HMAC-SHA256 of username + client id, keyed with the client secret. */
  private secretHash(username: string | undefined): string | undefined {
    if (!this.clientSecret || username === undefined) return undefined;
    return createHmac('sha256', this.clientSecret)
      .update(username + this.clientId)
      .digest('base64');
  }
}
