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
import { Answer, CognitoFailure, ErrorHandler, OperationLog } from './operation';

/** One message whether the user is unknown or the password is wrong: no account enumeration. */
export const INVALID_CREDENTIALS = 'Incorrect username or password';
export const INVALID_CODE = 'The code is not valid';
const INVALID_OR_EXPIRED_CODE = 'The code is not valid or has expired: check it, or ask for a new one';
/**
 * What a client is told when Cognito refuses input we could not check ourselves. Cognito's own
 * text (which may quote a Lambda trigger, or name operations and flows) goes to the debug log only.
 */
export const REFUSED_INPUT = 'The user pool refused this request: check the input';
const REFUSED_BY_TRIGGER = 'The user pool refused this request';
const BREAKS_POLICY = "does not meet the user pool's password policy";
const NOT_SUPPORTED = 'This user pool does not support this operation';

const wrongCode = () => new CodeMismatchError(INVALID_CODE);
const tooMany = () => new TooManyRequestsError('Too many attempts: wait a while before trying again');
const breaksPolicy = (field: 'password' | 'newPassword') =>
  BadUserInputError.forFields([{ field, problems: [BREAKS_POLICY] }]);
/**
 * Refused input of a call whose input we checked ourselves (a sign-in, a refresh): then the app
 * client is set up wrong (e.g. USER_PASSWORD_AUTH not enabled), which is ours to fix.
 */
const misconfigured = (failure: CognitoFailure) => new InternalServerError(failure.cause);

/**
 * An unknown user or a refused credential: what it means depends on the credential the request
 * carried. A request with an access token or a challenge session is refused for that; one with
 * neither names a user, who may not do this (say, sign up where self-registration is off).
 */
function refusedCredential({ request }: CognitoFailure): AppError {
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
const DEFAULT_ERRORS: Readonly<Record<string, (failure: CognitoFailure) => AppError>> = {
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
 * Turns what the SDK threw into our error, or into the answer an operation's own handler gives
 * instead: our own errors pass as they are; a client secret problem is always ours; then the
 * operation's entry for the exception, the default table's, and the service's faults.
 */
export function toAppError<Result>(
  failure: CognitoFailure,
  own: Readonly<Record<string, ErrorHandler<Result>>> | undefined,
  log: OperationLog,
): AppError | Answer<Result> {
  if (failure.cause instanceof AppError) return failure.cause;
  if (isClientSecretProblem(failure)) return new InternalServerError(failure.cause);
  const handler = own?.[failure.name] ?? DEFAULT_ERRORS[failure.name];
  if (handler) return handler(failure, log);
  if (isUnsupported(failure)) return new ServiceUnavailableError(NOT_SUPPORTED);
  if (isServiceFault(failure.cause)) {
    return new ServiceUnavailableError('The user directory is unavailable: try again shortly');
  }
  return new InternalServerError(failure.cause);
}

/** Reads what the SDK threw (anything at all) as a failure of `request`. */
export function failureOf(error: unknown, request: object): CognitoFailure {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return { name: text(name), message: text(message), request, cause: error };
}

/**
 * The pool or app client cannot do this: cognito-local answers operations it lacks with
 * `CognitoLocal#Unsupported`; AWS answers RevokeToken so when token revocation is off.
 */
export function isUnsupported({ name }: CognitoFailure): boolean {
  return name === 'Unsupported' || name === 'UnsupportedOperationException';
}

// Shared entries of operations' own tables: each declared once, here, beside the default table.

/**
 * The code calls anyone can make, for any username (confirmSignUp, confirmForgotPassword): a wrong
 * code, an unknown user, a confirmed one and an expired code get one answer. cognito-local
 * answers ExpiredCodeException to a user with no pending code (one confirmed already) and
 * NotAuthorized or UserNotFound to an unknown one, so CODE_EXPIRED would tell who has an account;
 * AWS answers a confirmed user NotAuthorized. One answer, whose message covers both.
 */
export const PUBLIC_CODE_ERRORS: Readonly<Record<string, ErrorHandler<never>>> = Object.fromEntries(
  ['CodeMismatchException', 'ExpiredCodeException', 'NotAuthorizedException', 'UserNotFoundException'].map((name) => [
    name,
    () => new CodeMismatchError(INVALID_OR_EXPIRED_CODE),
  ]),
);

/**
 * Errors that only say whether an account exists (or can receive a code): forgotPassword and
 * resendConfirmationCode answer them as they answer a known user. A pool with
 * PreventUserExistenceErrors enabled does the same in Cognito itself.
 */
export function undisclosedUser<Result>(answer: Result): Readonly<Record<string, ErrorHandler<Result>>> {
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

/** Input we checked ourselves that Cognito refuses anyway: the app client is set up wrong. */
export const MISCONFIGURED_CLIENT_ERRORS: Readonly<Record<string, ErrorHandler<never>>> = {
  InvalidParameterException: misconfigured,
  UserLambdaValidationException: misconfigured,
};

/** The first step of a sign-in: every refusal of the credentials gets one answer. */
export const SIGN_IN_ERRORS: Readonly<Record<string, ErrorHandler<never>>> = {
  ...MISCONFIGURED_CLIENT_ERRORS,
  NotAuthorizedException: () => new UnauthenticatedError(INVALID_CREDENTIALS),
  UserNotFoundException: () => new UnauthenticatedError(INVALID_CREDENTIALS),
  // cognito-local says this for a wrong password, where AWS says NotAuthorized.
  InvalidPasswordException: () => new UnauthenticatedError(INVALID_CREDENTIALS),
};

/** The password policy names the field the new password came in. */
export const SIGN_UP_PASSWORD_ERRORS: Readonly<Record<string, ErrorHandler<never>>> = {
  InvalidPasswordException: () => breaksPolicy('password'),
};

/**
 * ChangePassword: cognito-local says InvalidPassword for a wrong current password (AWS:
 * NotAuthorized), and AWS says it for a new one that breaks the policy.
 */
export const CHANGE_PASSWORD_ERRORS: Readonly<Record<string, ErrorHandler<never>>> = {
  InvalidPasswordException: (failure) =>
    /conform|policy|length|character/i.test(failure.message) ? breaksPolicy('newPassword') : wrongCurrentPassword(),
  NotAuthorizedException: (failure) =>
    /password/i.test(failure.message) ? wrongCurrentPassword() : refusedCredential(failure),
};

/** A code that comes with an access token (verifyEmail): an unknown user is answered as a wrong code. */
export const SIGNED_IN_CODE_ERRORS: Readonly<Record<string, ErrorHandler<never>>> = {
  NotAuthorizedException: wrongCode,
  UserNotFoundException: wrongCode,
};

/**
 * A sign-out step the pool cannot do (the emulator lacks GlobalSignOut, a client without token
 * revocation cannot RevokeToken): our own record of the sign-out still holds.
 */
export function signOutStepUnsupported(operation: string): Readonly<Record<string, ErrorHandler<void>>> {
  const enforcedHere: ErrorHandler<void> = (_failure, log) => {
    log.warnOnce(
      operation,
      `This user pool does not support ${operation}: the sign-out is enforced by this server only`,
    );
    return { answer: undefined };
  };
  return { Unsupported: enforcedHere, UnsupportedOperationException: enforcedHere };
}

function wrongCurrentPassword(): AppError {
  return new UnauthenticatedError('The current password is wrong');
}

/** A wrong or missing COGNITO_CLIENT_SECRET: our set-up is wrong, not the user's password or code. */
function isClientSecretProblem({ name, message }: CognitoFailure): boolean {
  return name === 'NotAuthorizedException' && /secret/i.test(message);
}

const NETWORK_ERROR = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/;

/** Cognito answered 5xx, or did not answer (refused, reset, timed out). */
function isServiceFault(error: unknown): boolean {
  const { name, code, message, $fault, $metadata } = (error ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $fault?: 'client' | 'server';
    $metadata?: { httpStatusCode?: number };
  };
  return (
    $fault === 'server' ||
    ($metadata?.httpStatusCode ?? 0) >= 500 ||
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    NETWORK_ERROR.test(code ?? '') ||
    // The SDK wraps an error it does not recognise as one (from another realm) and keeps only its text.
    NETWORK_ERROR.test(message ?? '')
  );
}

/** A string field of what was thrown, or '' (an SDK error's fields are strings; anything may be thrown). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
