import {
  AuthenticationResultType,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  InitiateAuthCommandOutput,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { BadUserInputError, InternalServerError, ServiceUnavailableError } from '../errors/app-errors';
import { CognitoCall, toAppError } from './cognito-errors';
import { COGNITO_POOL } from './cognito.constants';
import { CognitoPool } from './cognito-pool';
import { SignInResult, SignUpResult, Tokens, UserProfile } from './cognito.types';
import { secretHash } from './secret-hash';

/**
 * The only place that talks to the user pool. It uses the AWS SDK's client rather than
 * amazon-cognito-identity-js: that browser library builds a 3072-bit SRP helper on every sign-in
 * (~150 ms of CPU, blocking the event loop), has no request timeout, retries with back-off on its
 * own and cannot send SECRET_HASH.
 */
const UNAVAILABLE_WARNING_INTERVAL_MS = 10_000;

@Injectable()
export class CognitoService implements OnApplicationShutdown {
  private readonly client: CognitoIdentityProviderClient;
  private readonly timeoutMs: number;
  private readonly logger = new Logger('Cognito');
  private lastUnavailableWarning = 0;

  constructor(
    @Inject(COGNITO_POOL) private readonly pool: CognitoPool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timeoutMs = config.cognitoTimeoutMs;
    // One attempt: a retried sign-in would count twice against the account's lockout, and the
    // caller's own timeout must bound the whole call.
    this.client = new CognitoIdentityProviderClient({ region: pool.region, endpoint: pool.endpoint, maxAttempts: 1 });
  }

  async signUp(input: { username: string; password: string; email: string; name?: string }): Promise<SignUpResult> {
    const attributes = [{ Name: 'email', Value: input.email }];
    if (input.name) attributes.push({ Name: 'name', Value: input.name });
    const out = await this.send('signUp', (options) =>
      this.client.send(
        new SignUpCommand({
          ClientId: this.pool.clientId,
          SecretHash: this.secretHashFor(input.username),
          Username: input.username,
          Password: input.password,
          UserAttributes: attributes,
        }),
        options,
      ),
    );
    const delivery = out.CodeDeliveryDetails;
    return {
      username: input.username,
      userSub: out.UserSub ?? '',
      userConfirmed: out.UserConfirmed ?? false,
      codeDelivery: delivery
        ? {
            destination: delivery.Destination ?? null,
            medium: delivery.DeliveryMedium ?? null,
            attributeName: delivery.AttributeName ?? null,
          }
        : null,
    };
  }

  async confirmSignUp(username: string, code: string): Promise<void> {
    await this.send('confirmSignUp', (options) =>
      this.client.send(
        new ConfirmSignUpCommand({
          ClientId: this.pool.clientId,
          SecretHash: this.secretHashFor(username),
          Username: username,
          ConfirmationCode: code,
        }),
        options,
      ),
    );
  }

  /** USER_PASSWORD_AUTH: the app client must allow ALLOW_USER_PASSWORD_AUTH. */
  async signIn(username: string, password: string): Promise<SignInResult> {
    const out = await this.send('signIn', (options) =>
      this.client.send(
        new InitiateAuthCommand({
          ClientId: this.pool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: this.withSecretHash(username, { USERNAME: username, PASSWORD: password }),
        }),
        options,
      ),
    );
    return signInResult(out);
  }

  /**
   * With a client secret, Cognito checks SECRET_HASH against the username (for pools that sign in
   * by email, the user's `sub`), so the caller must give it.
   */
  async refresh(refreshToken: string, username?: string): Promise<Tokens> {
    if (this.pool.clientSecret && !username) {
      throw BadUserInputError.forFields([
        { field: 'username', problems: ['is required to refresh tokens, because this app client has a secret'] },
      ]);
    }
    const out = await this.send('refresh', (options) =>
      this.client.send(
        new InitiateAuthCommand({
          ClientId: this.pool.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: this.withSecretHash(username, { REFRESH_TOKEN: refreshToken }),
        }),
        options,
      ),
    );
    if (!out.AuthenticationResult) throw new InternalServerError('REFRESH_TOKEN_AUTH answered without tokens');
    // Cognito keeps the refresh token unless rotation is on, and then it sends the new one.
    return tokens(out.AuthenticationResult);
  }

  async getUser(accessToken: string): Promise<UserProfile> {
    const out = await this.send('getUser', (options) =>
      this.client.send(new GetUserCommand({ AccessToken: accessToken }), options),
    );
    const attribute = (name: string) => out.UserAttributes?.find((a) => a.Name === name)?.Value;
    const verified = attribute('email_verified');
    return {
      email: attribute('email') ?? null,
      emailVerified: verified === undefined ? null : verified === 'true',
      name: attribute('name') ?? null,
    };
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  /** Every call gets a timeout, and its errors become ours. */
  private async send<T>(call: CognitoCall, request: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await request({ abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const mapped = toAppError(error, call);
      if (mapped instanceof ServiceUnavailableError) this.warnUnavailable(call, error);
      throw mapped;
    }
  }

  /** An outage fails every request: say so in the log, but once a while, not once a request. */
  private warnUnavailable(call: CognitoCall, error: unknown): void {
    const now = Date.now();
    if (now - this.lastUnavailableWarning < UNAVAILABLE_WARNING_INTERVAL_MS) return;
    this.lastUnavailableWarning = now;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.logger.warn(`Cognito is unavailable (${call}: ${reason}); calls answer SERVICE_UNAVAILABLE`);
  }

  private secretHashFor(username: string): string | undefined {
    return this.pool.clientSecret ? secretHash(this.pool.clientSecret, username, this.pool.clientId) : undefined;
  }

  private withSecretHash(username: string | undefined, parameters: Record<string, string>): Record<string, string> {
    const hash = username === undefined ? undefined : this.secretHashFor(username);
    return hash ? { ...parameters, SECRET_HASH: hash } : parameters;
  }
}

function signInResult(out: InitiateAuthCommandOutput): SignInResult {
  if (out.AuthenticationResult) return tokens(out.AuthenticationResult);
  if (out.ChallengeName) {
    return {
      name: out.ChallengeName,
      session: out.Session ?? '',
      parameters: Object.entries(out.ChallengeParameters ?? {}).map(([name, value]) => ({ name, value })),
    };
  }
  throw new InternalServerError('InitiateAuth answered with neither tokens nor a challenge');
}

function tokens(result: AuthenticationResultType): Tokens {
  if (!result.AccessToken || !result.IdToken) throw new InternalServerError('Cognito answered without tokens');
  return {
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken ?? null,
    expiresIn: result.ExpiresIn ?? 3600,
    tokenType: result.TokenType ?? 'Bearer',
  };
}
