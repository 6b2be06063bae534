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

/** The calls we make; the same Cognito error means different things to different calls. */
export type CognitoCall = 'signUp' | 'confirmSignUp' | 'signIn' | 'refresh' | 'getUser';

/** One message whether the user is unknown or the password is wrong: no account enumeration. */
export const INVALID_CREDENTIALS = 'Incorrect username or password';

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
  // A wrong or missing COGNITO_CLIENT_SECRET: our set-up is wrong, not the user's password or code.
  if (name === 'NotAuthorizedException' && /secret/i.test(message)) return new InternalServerError(error);

  switch (name) {
    case 'UsernameExistsException':
      return new UsernameExistsError('An account with this username already exists');
    case 'UserNotConfirmedException':
      return new UserNotConfirmedError('This account is not confirmed yet: confirm it with the code that was sent');
    case 'CodeMismatchException':
      return new CodeMismatchError('The code is not valid');
    case 'ExpiredCodeException':
      return new CodeExpiredError('The code has expired: ask for a new one');
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      return new TooManyRequestsError('Too many attempts: wait a while before trying again');
    case 'InvalidPasswordException':
      // cognito-local answers a wrong password at sign-in with this, where AWS says NotAuthorized.
      return call === 'signIn'
        ? new UnauthenticatedError(INVALID_CREDENTIALS)
        : BadUserInputError.forFields([
            { field: 'password', problems: [message || 'does not meet the password policy'] },
          ]);
    case 'InvalidParameterException':
    case 'UserLambdaValidationException':
      // On sign-up and confirmation these speak of the user's input (an attribute the pool
      // requires, a pre-sign-up trigger's verdict). Elsewhere our own input was checked already:
      // the app client is set up wrong (e.g. USER_PASSWORD_AUTH not enabled), which is ours to fix.
      return call === 'signUp' || call === 'confirmSignUp'
        ? new BadUserInputError(message || 'Invalid input')
        : new InternalServerError(error);
    case 'PasswordResetRequiredException':
      return new UnauthenticatedError('This account needs a new password: reset it before signing in');
    case 'UserNotFoundException':
    case 'NotAuthorizedException':
      return unauthorized(call);
  }

  if ($fault === 'server' || ($metadata?.httpStatusCode ?? 0) >= 500 || isNetworkError(error)) {
    return new ServiceUnavailableError('The user directory is unavailable: try again shortly');
  }
  return new InternalServerError(error);
}

function unauthorized(call: CognitoCall): AppError {
  switch (call) {
    case 'signIn':
      return new UnauthenticatedError(INVALID_CREDENTIALS);
    case 'refresh':
      return new UnauthenticatedError('The refresh token is invalid, expired or revoked: sign in again');
    case 'getUser':
      return new UnauthenticatedError('The access token is not valid');
    case 'confirmSignUp':
      // An unknown user, or (on AWS) one confirmed already: the same answer as a wrong code, so
      // that the call does not tell who has an account.
      return new CodeMismatchError('The code is not valid');
    case 'signUp':
      return new BadUserInputError('Sign-up is not allowed for this app client');
  }
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
