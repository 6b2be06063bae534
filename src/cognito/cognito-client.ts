import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { describeError, truncate } from '../common/text';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AppError, ServiceUnavailableError } from '../errors/app-errors';
import { CognitoCall, isUnsupported, toAppError } from './cognito-errors';
import { COGNITO_POOL } from './cognito.constants';
import { CognitoPool } from './cognito-pool';
import { secretHash } from './secret-hash';

const UNAVAILABLE_WARNING_INTERVAL_MS = 10_000;

/**
 * The one connection to the user pool, through the AWS SDK's client rather than
 * amazon-cognito-identity-js: that browser library builds a 3072-bit SRP helper on every sign-in
 * (~150 ms of CPU, blocking the event loop), has no request timeout, retries with back-off on its
 * own and cannot send SECRET_HASH.
 */
@Injectable()
export class CognitoClient implements OnApplicationShutdown {
  private readonly sdk: CognitoIdentityProviderClient;
  private readonly timeoutMs: number;
  private readonly logger = new Logger('Cognito');
  private lastUnavailableWarning = 0;

  constructor(
    @Inject(COGNITO_POOL) readonly pool: CognitoPool,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timeoutMs = config.cognitoTimeoutMs;
    // One attempt: a retried sign-in would count twice against the account's lockout, and the
    // caller's own timeout must bound the whole call.
    this.sdk = new CognitoIdentityProviderClient({ region: pool.region, endpoint: pool.endpoint, maxAttempts: 1 });
  }

  get clientId(): string {
    return this.pool.clientId;
  }

  /**
   * Sends one command with a timeout; its errors become ours. `recover` may turn a Cognito error
   * into an answer instead (e.g. to hide whether a user exists), by returning `{ value }`.
   */
  async send<T>(
    call: CognitoCall,
    request: (sdk: CognitoIdentityProviderClient, options: { abortSignal: AbortSignal }) => Promise<T>,
    recover?: (error: unknown) => { value: T } | undefined,
  ): Promise<T> {
    try {
      return await request(this.sdk, { abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const recovered = recover?.(error);
      if (recovered) return recovered.value;
      const mapped = toAppError(error, call);
      if (mapped instanceof ServiceUnavailableError && !isUnsupported(error)) this.warnUnavailable(call, error);
      else if (!(error instanceof AppError))
        this.logger.debug(`${call}: Cognito answered ${cognitoWords(error)}; answered ${mapped.code}`);
      throw mapped;
    }
  }

  /** SECRET_HASH for `username`, when the app client has a secret. */
  secretHash(username: string | undefined): string | undefined {
    const { clientSecret, clientId } = this.pool;
    return clientSecret && username !== undefined ? secretHash(clientSecret, username, clientId) : undefined;
  }

  /** Auth parameters with SECRET_HASH added when the app client has a secret. */
  withSecretHash(username: string | undefined, parameters: Record<string, string>): Record<string, string> {
    const hash = this.secretHash(username);
    return hash ? { ...parameters, SECRET_HASH: hash } : parameters;
  }

  onApplicationShutdown(): void {
    this.sdk.destroy();
  }

  /** An outage fails every request: say so in the log, but once a while, not once a request. */
  private warnUnavailable(call: CognitoCall, error: unknown): void {
    const now = Date.now();
    if (now - this.lastUnavailableWarning < UNAVAILABLE_WARNING_INTERVAL_MS) return;
    this.lastUnavailableWarning = now;
    this.logger.warn(`Cognito is unavailable (${call}: ${describeError(error)}); calls answer SERVICE_UNAVAILABLE`);
  }
}

/**
 * Cognito's own name and text of an error, for the debug log only (clients get ours): escaped and
 * cut short, since a Lambda trigger's text may quote what the client sent.
 */
function cognitoWords(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return `${String(name)} ${JSON.stringify(truncate(String(message ?? ''), 200))}`;
}
