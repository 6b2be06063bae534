import { COGNITO_CALLS, hidesUserExistence, INVALID_CREDENTIALS, toAppError } from '../src/cognito/cognito-errors';
import { InternalServerError } from '../src/errors/app-errors';

const cognitoError = (name: string, message = 'from Cognito', status = 400) =>
  Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

describe('toAppError', () => {
  it.each([
    ['UsernameExistsException', 'signUp', 'USERNAME_EXISTS'],
    ['UserNotConfirmedException', 'signIn', 'USER_NOT_CONFIRMED'],
    ['CodeMismatchException', 'confirmSignUp', 'CODE_MISMATCH'],
    ['ExpiredCodeException', 'confirmSignUp', 'CODE_MISMATCH'],
    ['TooManyRequestsException', 'signIn', 'TOO_MANY_REQUESTS'],
    ['TooManyFailedAttemptsException', 'confirmSignUp', 'TOO_MANY_REQUESTS'],
    ['LimitExceededException', 'signUp', 'TOO_MANY_REQUESTS'],
    ['InvalidPasswordException', 'signUp', 'BAD_USER_INPUT'],
    ['InvalidParameterException', 'signUp', 'BAD_USER_INPUT'],
    ['NotAuthorizedException', 'signIn', 'UNAUTHENTICATED'],
    ['UserNotFoundException', 'signIn', 'UNAUTHENTICATED'],
    ['InvalidPasswordException', 'signIn', 'UNAUTHENTICATED'],
    ['NotAuthorizedException', 'refresh', 'UNAUTHENTICATED'],
    ['NotAuthorizedException', 'getUser', 'UNAUTHENTICATED'],
    ['UserNotFoundException', 'confirmSignUp', 'CODE_MISMATCH'],
    ['NotAuthorizedException', 'confirmSignUp', 'CODE_MISMATCH'],
    ['UserLambdaValidationException', 'signUp', 'BAD_USER_INPUT'],
    ['InvalidParameterException', 'signIn', 'INTERNAL_SERVER_ERROR'],
    ['PasswordResetRequiredException', 'signIn', 'UNAUTHENTICATED'],
    ['InternalErrorException', 'signIn', 'SERVICE_UNAVAILABLE'],
    ['ExpiredCodeException', 'verifyEmail', 'CODE_EXPIRED'],
    ['CodeMismatchException', 'verifyEmail', 'CODE_MISMATCH'],
    ['ExpiredCodeException', 'confirmForgotPassword', 'CODE_MISMATCH'],
    ['UserNotFoundException', 'confirmForgotPassword', 'CODE_MISMATCH'],
    ['InvalidPasswordException', 'confirmForgotPassword', 'BAD_USER_INPUT'],
    ['EnableSoftwareTokenMFAException', 'verifyTotp', 'CODE_MISMATCH'],
    ['NotAuthorizedException', 'respondToChallenge', 'UNAUTHENTICATED'],
    ['NotAuthorizedException', 'changePassword', 'UNAUTHENTICATED'],
    ['NotAuthorizedException', 'deleteUser', 'UNAUTHENTICATED'],
    ['NotAuthorizedException', 'signOut', 'UNAUTHENTICATED'],
    ['AliasExistsException', 'updateUser', 'BAD_USER_INPUT'],
    ['InvalidParameterException', 'updateUser', 'BAD_USER_INPUT'],
    ['UnsupportedOperationException', 'signOut', 'SERVICE_UNAVAILABLE'],
    ['LimitExceededException', 'forgotPassword', 'TOO_MANY_REQUESTS'],
    ['PasswordHistoryPolicyViolationException', 'changePassword', 'BAD_USER_INPUT'],
    ['PasswordHistoryPolicyViolationException', 'confirmForgotPassword', 'BAD_USER_INPUT'],
  ] as const)('maps %s from %s to %s', (name, call, code) => {
    expect(toAppError(cognitoError(name, 'x', name === 'InternalErrorException' ? 500 : 400), call).code).toBe(code);
  });

  it('tells a wrong current password (UNAUTHENTICATED) from a new one that breaks the policy (BAD_USER_INPUT)', () => {
    // cognito-local says InvalidPasswordException for a wrong current password; AWS for a policy breach.
    expect(toAppError(cognitoError('InvalidPasswordException', 'Invalid password'), 'changePassword').code).toBe(
      'UNAUTHENTICATED',
    );
    const policy = toAppError(
      cognitoError('InvalidPasswordException', 'Password does not conform to policy: Password not long enough'),
      'changePassword',
    );
    expect(policy.code).toBe('BAD_USER_INPUT');
    expect(policy.details).toEqual({
      fields: [{ field: 'newPassword', problems: [expect.stringContaining('policy')] }],
    });
    expect(
      toAppError(cognitoError('NotAuthorizedException', 'Incorrect username or password.'), 'changePassword').message,
    ).toBe('The current password is wrong');
  });

  it.each(['confirmSignUp', 'confirmForgotPassword'] as const)(
    'answers %s alike for a wrong code, an unknown user, a confirmed one and an expired code: no account enumeration',
    (call) => {
      // cognito-local: CodeMismatch (wrong code), NotAuthorized or UserNotFound (unknown user),
      // ExpiredCode (no pending code: a confirmed user). AWS: NotAuthorized for a confirmed user.
      const answers = [
        'CodeMismatchException',
        'NotAuthorizedException',
        'UserNotFoundException',
        'ExpiredCodeException',
      ].map((name) => {
        const { code, message, details } = toAppError(cognitoError(name, `${name} text`), call);
        return { code, message, details };
      });
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0].code).toBe('CODE_MISMATCH');
      expect(answers[0].message).toMatch(/expired/);
    },
  );

  it.each([
    [
      'InvalidParameterException',
      'VerifySoftwareToken via Session (MFA_SETUP flow) is not supported; call with AccessToken',
    ],
    ['UserLambdaValidationException', 'PreSignUp failed with error Domain evil.example is blocked.'],
    ['InvalidPasswordException', 'Password does not conform to policy: Password not long enough'],
    ['InvalidPasswordException', 'Invalid password'],
    ['NotAuthorizedException', 'Incorrect username or password.'],
    ['UserNotFoundException', 'User does not exist.'],
    ['CodeMismatchException', 'Invalid verification code provided, please try again.'],
    ['LimitExceededException', 'Attempt limit exceeded, please try after some time.'],
    ['AliasExistsException', 'An account with the given email already exists.'],
  ])("never passes Cognito's own text to the client: %s (%s), from any call", (name, text) => {
    for (const call of COGNITO_CALLS) {
      const mapped = toAppError(cognitoError(name, text), call);
      const shown = JSON.stringify({ message: mapped.message, details: mapped.details });
      expect(shown).not.toContain(text);
    }
  });

  it('answers every failed sign-in with one message, whatever Cognito said', () => {
    for (const name of ['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException']) {
      expect(toAppError(cognitoError(name, `${name} says the user does not exist`), 'signIn').message).toBe(
        INVALID_CREDENTIALS,
      );
    }
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a timeout', Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })],
    ['an HTTP 503', cognitoError('ServiceUnavailable', 'x', 503)],
  ])('maps %s to SERVICE_UNAVAILABLE', (_why, error) => {
    expect(toAppError(error, 'signUp').code).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([
    'Unable to verify secret hash for client 1a2b3c',
    'Client 1a2b3c is configured for secret but secret was not received',
  ])(
    'reports a client secret problem ("%s") as ours (INTERNAL_SERVER_ERROR, logged), not as bad credentials',
    (message) => {
      for (const call of ['signUp', 'confirmSignUp', 'signIn', 'refresh'] as const) {
        expect(toAppError(cognitoError('NotAuthorizedException', message), call).code).toBe('INTERNAL_SERVER_ERROR');
      }
    },
  );

  it('hides whether a user exists, but not a client secret problem', () => {
    expect(hidesUserExistence(cognitoError('UserNotFoundException'))).toBe(true);
    expect(hidesUserExistence(cognitoError('NotAuthorizedException', 'User is disabled.'))).toBe(true);
    expect(
      hidesUserExistence(cognitoError('NotAuthorizedException', 'Unable to verify secret hash for client x')),
    ).toBe(false);
    expect(hidesUserExistence(cognitoError('LimitExceededException'))).toBe(false);
  });

  it('masks anything unexpected as INTERNAL_SERVER_ERROR, keeping the cause for the log only', () => {
    const cause = cognitoError('SomethingNewException', 'internal detail');
    const mapped = toAppError(cause, 'signUp');
    expect(mapped).toBeInstanceOf(InternalServerError);
    expect(mapped.message).toBe('Internal server error');
    expect(mapped.cause).toBe(cause);
  });
});
