import {
  AppError,
  BadUserInputError,
  CodeExpiredError,
  CodeMismatchError,
  InternalServerError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthenticatedError,
  UserNotConfirmedError,
  UsernameExistsError,
} from '../errors/app-errors';
import { isClientSecretProblem, isServiceFault, isUnsupported } from './cognito-failure';
import { Answer, CognitoFailure, ErrorHandler, ErrorTable, OperationLog } from './operation';

/** One message whether the user is unknown or the password is wrong: no account enumeration. */
export const INVALID_CREDENTIALS = 'Incorrect username or password';
/**
 * What a client is told when Cognito refuses input we could not check ourselves. Cognito's own
 * text (which may quote a Lambda trigger, or name operations and flows) goes to the debug log only.
 */
export const REFUSED_INPUT = 'The user pool refused this request: check the input';
const REFUSED_BY_TRIGGER = 'The user pool refused this request';
const BREAKS_POLICY = "does not meet the user pool's password policy";

// Our answers, each worded once: the default table and operations' own entries both give them.

export const wrongCode = (): AppError => new CodeMismatchError('The code is not valid');
export const breaksPolicy = (field: 'password' | 'newPassword'): AppError =>
  BadUserInputError.forFields([{ field, problems: [BREAKS_POLICY] }]);
export const wrongCurrentPassword = (): AppError => new UnauthenticatedError('The current password is wrong');
const tooMany = () => new TooManyRequestsError('Too many attempts: wait a while before trying again');

/**
 * An unknown user or a refused credential: what it means depends on the credential the request
 * carried. A request with an access token or a challenge session is refused for that; one with
 * neither names a user, who may not do this (say, sign up where self-registration is off).
 */
export function refusedCredential({ request }: CognitoFailure): AppError {
  if ('AccessToken' in request && request.AccessToken !== undefined) {
    return new UnauthenticatedError('The access token is not valid: sign in again');
  }
  if ('Session' in request && request.Session !== undefined) {
    return new UnauthenticatedError('The sign-in session is invalid or has expired: sign in again');
  }
  return new BadUserInputError('This operation is not allowed for this account');
}

/**
 * The one default table: what each Cognito exception means to any operation that does not say
 * otherwise (operations/ declare their own entries over it). An exception not here is a fault of
 * the service (unavailable) or of ours (internal): see toAppError.
 */
const DEFAULT_ERRORS: ErrorTable<never> = {
  UsernameExistsException: () => new UsernameExistsError('An account with this username already exists'),
  UserNotConfirmedException: () =>
    new UserNotConfirmedError('This account is not confirmed yet: confirm it with the code that was sent'),
  CodeMismatchException: wrongCode,
  EnableSoftwareTokenMFAException: wrongCode,
  ExpiredCodeException: () => new CodeExpiredError('The code has expired: ask for a new one'),
  TooManyRequestsException: tooMany,
  TooManyFailedAttemptsException: tooMany,
  LimitExceededException: tooMany,
  // AWS means the new password breaks the pool's policy (cognito-local also says it for a wrong
  // one: see the sign-in and changePassword operations).
  InvalidPasswordException: () => breaksPolicy('newPassword'),
  PasswordHistoryPolicyViolationException: () =>
    BadUserInputError.forFields([{ field: 'newPassword', problems: ['must not be a recently used password'] }]),
  AliasExistsException: () =>
    BadUserInputError.forFields([{ field: 'email', problems: ['cannot be used for this account'] }]),
  // These speak of the user's input (an attribute the pool requires, a pre-sign-up trigger's
  // verdict); their text is Cognito's (or the trigger's), never shown: it names operations and flows.
  InvalidParameterException: () => new BadUserInputError(REFUSED_INPUT),
  UserLambdaValidationException: () => new BadUserInputError(REFUSED_BY_TRIGGER),
  PasswordResetRequiredException: () =>
    new UnauthenticatedError('This account needs a new password: reset it with forgotPassword'),
  UserNotFoundException: refusedCredential,
  NotAuthorizedException: refusedCredential,
};

/**
 * Turns what the SDK threw into our error, or into the answer an operation's own entry gives
 * instead, in this order: our own errors (thrown by a result mapping) pass as they are; a client
 * secret problem is always ours, whatever the operation; then the operation's entry for the
 * exception, the default table's, and last the service's faults (unsupported, unavailable) or ours.
 */
export function toAppError<Result>(
  failure: CognitoFailure,
  own: ErrorTable<Result> | undefined,
  log: OperationLog,
): AppError | Answer<Result> {
  if (failure.cause instanceof AppError) return failure.cause;
  if (isClientSecretProblem(failure)) return new InternalServerError(failure.cause);
  const handler = entry(own, failure.name) ?? entry(DEFAULT_ERRORS, failure.name);
  if (handler) return handler(failure, log);
  if (isUnsupported(failure)) return new ServiceUnavailableError('This user pool does not support this operation');
  if (isServiceFault(failure))
    return new ServiceUnavailableError('The user directory is unavailable: try again shortly');
  return new InternalServerError(failure.cause);
}

/** A table's own entry: a name such as `constructor` or `__proto__` is not one, but Object's. */
function entry<Result>(table: ErrorTable<Result> | undefined, name: string): ErrorHandler<Result> | undefined {
  return table && Object.hasOwn(table, name) ? table[name] : undefined;
}

// Entries that several operations declare as their own: each written once, here.

/**
 * The code calls anyone can make, for any username (confirmSignUp, confirmForgotPassword): a wrong
 * code, an unknown user, a confirmed one and an expired code get one answer. cognito-local
 * answers ExpiredCodeException to a user with no pending code (one confirmed already) and
 * NotAuthorized or UserNotFound to an unknown one, so CODE_EXPIRED would tell who has an account;
 * AWS answers a confirmed user NotAuthorized. One answer, whose message covers both.
 */
export const PUBLIC_CODE_ERRORS: ErrorTable<never> = Object.fromEntries(
  [
    'CodeMismatchException',
    'EnableSoftwareTokenMFAException',
    'ExpiredCodeException',
    'NotAuthorizedException',
    'UserNotFoundException',
  ].map((name) => [
    name,
    () => new CodeMismatchError('The code is not valid or has expired: check it, or ask for a new one'),
  ]),
);

/**
 * Input we checked ourselves that Cognito refuses anyway (a sign-in, a refresh, a profile read):
 * the app client is set up wrong (e.g. USER_PASSWORD_AUTH not enabled), which is ours to fix.
 */
export const MISCONFIGURED_CLIENT_ERRORS: ErrorTable<never> = {
  InvalidParameterException: (failure) => new InternalServerError(failure.cause),
  UserLambdaValidationException: (failure) => new InternalServerError(failure.cause),
};

/**
 * Errors that only say whether an account exists (or can receive a code): forgotPassword and
 * resendConfirmationCode answer them as they answer a known user. A pool with
 * PreventUserExistenceErrors enabled does the same in Cognito itself.
 */
export function undisclosedUser<Result>(answer: Result): ErrorTable<Result> {
  const same = () => ({ answer });
  return {
    UserNotFoundException: same,
    InvalidParameterException: same,
    NotAuthorizedException: same,
    // Only an existing user can fail delivery: answered as the rest, but an operator must know.
    CodeDeliveryFailureException: (failure, log) => {
      log.error(`Cognito could not deliver a code: ${failure.message}`);
      return { answer };
    },
  };
}

/**
 * A sign-out step the pool cannot do (the emulator lacks GlobalSignOut, a client without token
 * revocation cannot RevokeToken): our own record of the sign-out still holds.
 */
export function signOutStepUnsupported(operation: string): ErrorTable<void> {
  const enforcedHere: ErrorHandler<void> = (_failure, log) => {
    log.warnOnce(
      operation,
      `This user pool does not support ${operation}: the sign-out is enforced by this server only`,
    );
    return { answer: undefined };
  };
  return { Unsupported: enforcedHere, UnsupportedOperationException: enforcedHere };
}
