import { AppError } from '../errors/app-errors';
import { AppClient } from './app-client';

/** An AWS SDK command class (SignUpCommand, …): the input it takes and the output its send gives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches any SDK command's constructor
export type CommandClass = new (input: any) => { readonly input: object };
export type CommandInput<C extends CommandClass> = ConstructorParameters<C>[0];
/** Read from the command's middleware handler, as the SDK's own `send` overloads do. */
export type CommandOutput<C extends CommandClass> =
  InstanceType<C> extends {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the output is read
    resolveMiddleware(...args: any[]): (...args: any[]) => Promise<{ output: infer O }>;
  }
    ? O
    : never;

/** What Cognito refused, as an operation's error handler sees it. */
export interface CognitoFailure {
  /** Cognito's exception name (`NotAuthorizedException`), or the SDK's (`TimeoutError`). */
  name: string;
  /** Cognito's text: for matching and the debug log, never for the client. */
  message: string;
  /** The request that was refused: whether it carried an access token or a challenge session. */
  request: object;
  /** What the SDK threw, kept as the cause of an INTERNAL_SERVER_ERROR (logged, never shown). */
  cause: unknown;
}

/** A handler's answer in place of an error (forgotPassword answers an unknown user as a known one). */
export interface Answer<Result> {
  answer: Result;
}

/** What an operation's own error handler may do beside answering: log, once or each time. */
export interface OperationLog {
  error(message: string): void;
  /** Once per process and `key`: an operator needs to hear of a missing feature, not per request. */
  warnOnce(key: string, message: string): void;
}

/** How one operation answers one Cognito exception: with our error, or with an answer after all. */
export type ErrorHandler<Result> = (failure: CognitoFailure, log: OperationLog) => AppError | Answer<Result>;

/** An operation's own entries (or the default table), by Cognito's exception name. */
export type ErrorTable<Result> = Readonly<Record<string, ErrorHandler<Result>>>;

/**
 * One Cognito operation, declared once: the SDK command it sends; how its request is built from
 * the caller's arguments (the app client adds ClientId, SECRET_HASH or the client secret, so no
 * call site does); how Cognito's answer becomes ours; and, by exception name, any error handling
 * of its own over the one default table in cognito-errors.ts. CognitoGateway.run sends it.
 */
export interface CognitoOperation<Args, Result, C extends CommandClass = CommandClass> {
  /** Our name for it: log lines say which operation Cognito refused. */
  readonly name: string;
  readonly command: C;
  readonly request: (args: Args, client: AppClient) => CommandInput<C>;
  readonly result: (output: CommandOutput<C>, args: Args) => Result;
  readonly errors?: ErrorTable<Result>;
}

/** Declares an operation: the types of its request and answer come from the SDK command. */
export function operation<Args, Result, C extends CommandClass>(
  declaration: CognitoOperation<Args, Result, C>,
): CognitoOperation<Args, Result, C> {
  return declaration;
}
