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

/** Calls made before a session (or to begin one). */
const CALLS_WITHOUT_TOKEN = [
  'signUp',
  'confirmSignUp',
  'resendCode',
  'forgotPassword',
  'confirmForgotPassword',
  'signIn',
  'respondToChallenge',
  'refresh',
] as const;
/** Calls made with the signed-in user's access token. */
const CALLS_WITH_TOKEN = [
  'signOut',
  'getUser',
  'updateUser',
  'verifyEmail',
  'changePassword',
  'deleteUser',
  'setupTotp',
  'verifyTotp',
] as const;
/** The calls we make; the same Cognito error means different things to different calls. */
export const COGNITO_CALLS = [...CALLS_WITHOUT_TOKEN, ...CALLS_WITH_TOKEN] as const;
export type CognitoCall = (typeof COGNITO_CALLS)[number];

/** Calls that take a code the user received: a wrong one, or an unknown user, is CODE_MISMATCH. */
const CODE_CALLS: ReadonlySet<CognitoCall> = new Set(['confirmSignUp', 'confirmForgotPassword', 'verifyEmail']);

/**
 * Code calls anyone can make, for any username: there an expired code is answered as a wrong one.
 * cognito-local answers ExpiredCodeException to a user with no pending code (one confirmed
 * already) and NotAuthorized or UserNotFound to an unknown one, so CODE_EXPIRED would tell who
 * has an account; AWS answers a confirmed user NotAuthorized. One answer, whose message covers both.
 */
const PUBLIC_CODE_CALLS: ReadonlySet<CognitoCall> = new Set(['confirmSignUp', 'confirmForgotPassword']);

const TOKEN_CALLS: ReadonlySet<CognitoCall> = new Set(CALLS_WITH_TOKEN);

/** One message whether the user is unknown or the password is wrong: no account enumeration. */
export const INVALID_CREDENTIALS = 'Incorrect username or password';
const INVALID_CODE = 'The code is not valid';
const INVALID_OR_EXPIRED_CODE = 'The code is not valid or has expired: check it, or ask for a new one';
/**
 * What a client is told when Cognito refuses input we could not check ourselves. Cognito's own
 * text (which may quote a Lambda trigger, or name operations and flows) goes to the debug log only.
 */
export const REFUSED_INPUT = 'The user pool refused this request: check the input';
const REFUSED_BY_TRIGGER = 'The user pool refused this request';
const BREAKS_POLICY = "does not meet the user pool's password policy";

interface CognitoLikeError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** Turns whatever the Cognito client threw into one of our errors. */
export function toAppError(error: unknown, call: CognitoCall): AppError {
  if (error instanceof AppError) return error;
  const { name = '', message = '', $fault, $metadata } = (error ?? {}) as CognitoLikeError;
  if (isClientSecretProblem(error)) return new InternalServerError(error);

  switch (name) {
    case 'UsernameExistsException':
      return new UsernameExistsError('An account with this username already exists');
    case 'UserNotConfirmedException':
      return new UserNotConfirmedError('This account is not confirmed yet: confirm it with the code that was sent');
    case 'CodeMismatchException':
    case 'EnableSoftwareTokenMFAException':
      return wrongCode(call);
    case 'ExpiredCodeException':
      if (PUBLIC_CODE_CALLS.has(call)) return wrongCode(call);
      return new CodeExpiredError('The code has expired: ask for a new one');
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      return new TooManyRequestsError('Too many attempts: wait a while before trying again');
    case 'InvalidPasswordException':
      return invalidPassword(call, message);
    case 'PasswordHistoryPolicyViolationException':
      return BadUserInputError.forFields([
        { field: 'newPassword', problems: ['must not be a recently used password'] },
      ]);
    case 'AliasExistsException':
      return BadUserInputError.forFields([{ field: 'email', problems: ['cannot be used for this account'] }]);
    case 'InvalidParameterException':
    case 'UserLambdaValidationException':
      // These speak of the user's input (an attribute the pool requires, a pre-sign-up
      // trigger's verdict), unless it is a call whose input we checked ourselves: then the app
      // client is set up wrong (e.g. USER_PASSWORD_AUTH not enabled), which is ours to fix.
      // Their text is Cognito's (or the trigger's), never shown: it names operations and flows.
      if (call === 'signIn' || call === 'refresh' || call === 'getUser') return new InternalServerError(error);
      return new BadUserInputError(name === 'UserLambdaValidationException' ? REFUSED_BY_TRIGGER : REFUSED_INPUT);
    case 'PasswordResetRequiredException':
      return new UnauthenticatedError('This account needs a new password: reset it with forgotPassword');
    case 'UserNotFoundException':
    case 'NotAuthorizedException':
      return unauthorized(call, message);
  }

  if (isUnsupported(error)) return new ServiceUnavailableError('This user pool does not support this operation');
  if ($fault === 'server' || ($metadata?.httpStatusCode ?? 0) >= 500 || isNetworkError(error)) {
    return new ServiceUnavailableError('The user directory is unavailable: try again shortly');
  }
  return new InternalServerError(error);
}

/**
 * Errors that only say whether an account exists (or can receive a code); forgotPassword and
 * resendConfirmationCode answer them as they answer a known user. A pool with
 * PreventUserExistenceErrors enabled does the same in Cognito itself.
 */
export function hidesUserExistence(error: unknown): boolean {
  const { name } = (error ?? {}) as CognitoLikeError;
  return (
    [
      'UserNotFoundException',
      'InvalidParameterException',
      'NotAuthorizedException',
      'CodeDeliveryFailureException',
    ].includes(name ?? '') && !isClientSecretProblem(error)
  );
}

/**
 * The pool or app client cannot do this: cognito-local answers operations it lacks with
 * `CognitoLocal#Unsupported`; AWS answers RevokeToken so when token revocation is off.
 */
export function isUnsupported(error: unknown): boolean {
  const name = (error as CognitoLikeError | undefined)?.name ?? '';
  return name === 'Unsupported' || name === 'UnsupportedOperationException';
}

/** RevokeToken refusing the token itself: not a refresh token of this app client, or one already gone. */
export function isUnrevokableToken(error: unknown): boolean {
  const name = (error as CognitoLikeError | undefined)?.name ?? '';
  return [
    'UnsupportedTokenTypeException',
    'UnauthorizedException',
    'NotAuthorizedException',
    'InvalidParameterException',
  ].includes(name);
}

/** A wrong or missing COGNITO_CLIENT_SECRET: our set-up is wrong, not the user's password or code. */
function isClientSecretProblem(error: unknown): boolean {
  const { name, message = '' } = (error ?? {}) as CognitoLikeError;
  return name === 'NotAuthorizedException' && /secret/i.test(message);
}

function wrongCode(call: CognitoCall): CodeMismatchError {
  return new CodeMismatchError(PUBLIC_CODE_CALLS.has(call) ? INVALID_OR_EXPIRED_CODE : INVALID_CODE);
}

function invalidPassword(call: CognitoCall, message: string): AppError {
  // AWS means the new password breaks the pool's policy; cognito-local also uses it for a wrong
  // password (at sign-in, or as the current one of changePassword), where AWS says NotAuthorized.
  const breaksPolicy = /conform|policy|length|character/i.test(message);
  if (call === 'signIn') return new UnauthenticatedError(INVALID_CREDENTIALS);
  if (call === 'changePassword' && !breaksPolicy) return new UnauthenticatedError('The current password is wrong');
  const field = call === 'signUp' ? 'password' : 'newPassword';
  return BadUserInputError.forFields([{ field, problems: [BREAKS_POLICY] }]);
}

function unauthorized(call: CognitoCall, message: string): AppError {
  if (call === 'signIn') return new UnauthenticatedError(INVALID_CREDENTIALS);
  if (call === 'refresh') {
    return new UnauthenticatedError('The refresh token is invalid, expired or revoked: sign in again');
  }
  if (call === 'respondToChallenge') {
    return new UnauthenticatedError('The sign-in session is invalid or has expired: sign in again');
  }
  // An unknown user, or (on AWS) one confirmed already: the same answer as a wrong code, so that
  // the call does not tell who has an account.
  if (CODE_CALLS.has(call)) return wrongCode(call);
  if (call === 'changePassword' && /password/i.test(message)) {
    return new UnauthenticatedError('The current password is wrong');
  }
  if (TOKEN_CALLS.has(call)) return new UnauthenticatedError('The access token is not valid: sign in again');
  return new BadUserInputError('This operation is not allowed for this account');
}

const NETWORK_ERROR = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/;

function isNetworkError(error: unknown): boolean {
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  return (
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    NETWORK_ERROR.test(code ?? '') ||
    // The SDK wraps an error it does not recognise as one (from another realm) and keeps only its text.
    NETWORK_ERROR.test(message ?? '')
  );
}
