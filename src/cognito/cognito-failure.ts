import { CognitoFailure } from './operation';

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

/** A wrong or missing COGNITO_CLIENT_SECRET: our set-up is wrong, not the user's password or code. */
export function isClientSecretProblem({ name, message }: CognitoFailure): boolean {
  return name === 'NotAuthorizedException' && /secret/i.test(message);
}

const NETWORK_ERROR = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/;

/** Cognito answered 5xx, or did not answer (refused, reset, timed out). */
export function isServiceFault({ cause }: CognitoFailure): boolean {
  const { name, code, message, $fault, $metadata } = (cause ?? {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = $metadata?.httpStatusCode;
  return (
    $fault === 'server' ||
    (typeof status === 'number' && status >= 500) ||
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    NETWORK_ERROR.test(text(code)) ||
    // The SDK wraps an error it does not recognise as one (from another realm) and keeps only its text.
    NETWORK_ERROR.test(text(message))
  );
}

/** A string field of what was thrown, or '' (an SDK error's fields are strings; anything may be thrown). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
