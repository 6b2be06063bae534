import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { describeError, truncate } from '../common/text';
import { Setting } from '../config/config.module';
import { AppError, ServiceUnavailableError } from '../errors/app-errors';
import { AppClient } from './app-client';
import { toAppError } from './cognito-errors';
import { failureOf, isUnsupported } from './cognito-failure';
import { COGNITO_POOL } from './cognito.constants';
import { CognitoPool } from './cognito-pool';
import { CognitoFailure, CognitoOperation, CommandClass, CommandOutput, OperationLog } from './operation';

const UNAVAILABLE_WARNING_INTERVAL_MS = 10_000;

/**
 * The one connection to the user pool, through the AWS SDK's client rather than
 * amazon-cognito-identity-js: that browser library builds a 3072-bit SRP helper on every sign-in
 * (~150 ms of CPU, blocking the event loop), has no request timeout, retries with back-off on its
 * own and cannot send SECRET_HASH. Every operation (operations/) is sent by `run`, the one way in.
 */
@Injectable()
export class CognitoGateway implements OnApplicationShutdown {
  private readonly sdk: CognitoIdentityProviderClient;
  /**
   * The SDK's `send`, bound once, untyped: it is typed by overloads on each command class, which a
   * generic operation cannot name; `run` gives its output the type read from the command.
   */
  private readonly send: (command: object, options: { abortSignal: AbortSignal }) => Promise<unknown>;
  private readonly client: AppClient;
  private readonly logger = new Logger('Cognito');
  private readonly log: OperationLog;
  private readonly warned = new Set<string>();
  private lastUnavailableWarning = 0;

  constructor(
    @Inject(COGNITO_POOL) pool: CognitoPool,
    @Setting('cognitoTimeoutMs') private readonly timeoutMs: number,
  ) {
    this.client = new AppClient(pool);
    // One attempt: a retried sign-in would count twice against the account's lockout, and the
    // caller's own timeout must bound the whole call.
    this.sdk = new CognitoIdentityProviderClient({ region: pool.region, endpoint: pool.endpoint, maxAttempts: 1 });
    this.send = this.sdk.send.bind(this.sdk) as unknown as typeof this.send;
    this.log = {
      error: (message) => this.logger.error(message),
      warnOnce: (key, message) => {
        if (this.warned.has(key)) return;
        this.warned.add(key);
        this.logger.warn(message);
      },
    };
  }

  /**
   * Sends one operation with a timeout (COGNITO_TIMEOUT_MS, through the SDK's abort signal) and
   * answers its result; Cognito's errors become ours by the operation's table over the default one.
   */
  async run<Args, Result, C extends CommandClass>(
    operation: CognitoOperation<Args, Result, C>,
    args: Args,
  ): Promise<Result> {
    const request = operation.request(args, this.client);
    try {
      const output = (await this.send(new operation.command(request), {
        abortSignal: AbortSignal.timeout(this.timeoutMs),
      })) as CommandOutput<C>;
      return operation.result(output, args);
    } catch (error) {
      const failure = failureOf(error, request);
      const mapped = toAppError(failure, operation.errors, this.log);
      if (!(mapped instanceof AppError)) return mapped.answer;
      if (mapped instanceof ServiceUnavailableError && !isUnsupported(failure)) {
        this.warnUnavailable(operation.name, error);
      } else if (!(error instanceof AppError)) {
        this.logger.debug(`${operation.name}: Cognito answered ${cognitoWords(failure)}; answered ${mapped.code}`);
      }
      throw mapped;
    }
  }

  onApplicationShutdown(): void {
    this.sdk.destroy();
  }

  /** An outage fails every request: say so in the log, but once a while, not once a request. */
  private warnUnavailable(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastUnavailableWarning < UNAVAILABLE_WARNING_INTERVAL_MS) return;
    this.lastUnavailableWarning = now;
    this.logger.warn(
      `Cognito is unavailable (${operation}: ${describeError(error)}); calls answer SERVICE_UNAVAILABLE`,
    );
  }
}

/**
 * Cognito's own name and text of an error, for the debug log only (clients get ours): escaped and
 * cut short, since a Lambda trigger's text may quote what the client sent.
 */
function cognitoWords({ name, message }: CognitoFailure): string {
  return `${name} ${JSON.stringify(truncate(message, 200))}`;
}
