import { Logger } from '@nestjs/common';
import { CognitoGateway } from '../src/cognito/cognito-gateway';
import { INVALID_CREDENTIALS } from '../src/cognito/cognito-errors';
import { describePool } from '../src/cognito/cognito-pool';
import { deleteUser, getUser, updateUserAttributes, verifyEmail } from '../src/cognito/operations/account';
import { associateSoftwareToken, preferTotp, verifySoftwareToken } from '../src/cognito/operations/mfa';
import { changePassword, confirmForgotPassword, forgotPassword } from '../src/cognito/operations/passwords';
import { refreshTokens, respondToChallenge, signIn } from '../src/cognito/operations/sign-in';
import { globalSignOut, revokeToken } from '../src/cognito/operations/sign-out';
import { confirmSignUp, resendConfirmationCode, signUp } from '../src/cognito/operations/sign-up';
import { CognitoOperation } from '../src/cognito/operation';
import { AppError, InternalServerError } from '../src/errors/app-errors';
import { FakeCognito } from './support/fake-cognito';

// Each operation's error handling, on its own: the gateway sends the operation to a fake Cognito
// (test/support/fake-cognito.ts) told to refuse it with one exception, as Cognito's HTTP API does
// ({ __type, message }), and we read what the gateway answers. The emulator cannot be made to
// answer most of these (throttling, server faults, AWS-only exceptions).

const CLIENT = 'ops-client';

/** Every operation, with arguments the fake takes (sessions and refresh tokens it issued). */
function everyOperation(fake: FakeCognito): [string, CognitoOperation<any, any>, object][] {
  const accessToken = 'an-access-token';
  return [
    ['SignUp', signUp, { username: 'u', password: 'P4ss-word!', email: 'u@example.com' }],
    ['ConfirmSignUp', confirmSignUp, { username: 'u', code: '123456' }],
    ['ResendConfirmationCode', resendConfirmationCode, { username: 'u' }],
    ['ForgotPassword', forgotPassword, { username: 'u' }],
    ['ConfirmForgotPassword', confirmForgotPassword, { username: 'u', code: '123456', newPassword: 'N3w-pass!' }],
    ['InitiateAuth', signIn, { username: 'u', password: 'P4ss-word!' }],
    ['InitiateAuth', refreshTokens, { refreshToken: fake.refreshToken('u') }],
    [
      'RespondToAuthChallenge',
      respondToChallenge,
      { name: 'SMS_MFA', username: 'u', session: fake.session('u'), responses: { SMS_MFA_CODE: '1' } },
    ],
    ['AssociateSoftwareToken', associateSoftwareToken, { accessToken }],
    ['AssociateSoftwareToken', associateSoftwareToken, { session: fake.session('u') }],
    ['VerifySoftwareToken', verifySoftwareToken, { accessToken, code: '123456' }],
    ['VerifySoftwareToken', verifySoftwareToken, { session: fake.session('u'), code: '123456' }],
    ['SetUserMFAPreference', preferTotp, { accessToken }],
    ['GlobalSignOut', globalSignOut, { accessToken }],
    ['RevokeToken', revokeToken, { refreshToken: 'a-refresh-token' }],
    ['GetUser', getUser, { accessToken }],
    ['UpdateUserAttributes', updateUserAttributes, { accessToken, attributes: { name: 'U' } }],
    ['VerifyUserAttribute', verifyEmail, { accessToken, code: '123456' }],
    ['ChangePassword', changePassword, { accessToken, currentPassword: 'P4ss-word!', newPassword: 'N3w-pass!' }],
    ['DeleteUser', deleteUser, { accessToken }],
  ];
}

describe('each Cognito operation answers Cognito’s exceptions in our words', () => {
  let fake: FakeCognito;
  let gateway: CognitoGateway;
  let operations: ReturnType<typeof everyOperation>;
  const warnings: string[] = [];

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT });
    const endpoint = await fake.start();
    gateway = gatewayAt(endpoint);
  });
  afterAll(async () => {
    gateway.onApplicationShutdown();
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    operations = everyOperation(fake);
    warnings.splice(0);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Runs `operation` on `on`: what it answers, or the error it throws. */
  const outcome = (on: CognitoGateway, operation: CognitoOperation<any, any>, args: object) =>
    on.run(operation, args).then(
      (answer: unknown) => ({ answer }),
      (error: AppError) => error,
    );

  /** Runs `operation` (the first one of that name in everyOperation) refused with `type`: what it answers or throws. */
  async function refused(
    operation: CognitoOperation<any, any>,
    type: string,
    message = `${type} (from the fake)`,
    status = 400,
  ): Promise<AppError | { answer: unknown }> {
    const [target, , args] = operations.find(([, op]) => op === operation)!;
    fake.error(target, type, message, status);
    return outcome(gateway, operation, args);
  }
  const codeOf = (outcome: AppError | { answer: unknown }) => (outcome instanceof AppError ? outcome.code : 'answered');

  it.each([
    ['UsernameExistsException', signUp, 'USERNAME_EXISTS'],
    ['UserNotConfirmedException', signIn, 'USER_NOT_CONFIRMED'],
    ['CodeMismatchException', confirmSignUp, 'CODE_MISMATCH'],
    ['ExpiredCodeException', confirmSignUp, 'CODE_MISMATCH'],
    ['TooManyRequestsException', signIn, 'TOO_MANY_REQUESTS'],
    ['TooManyFailedAttemptsException', confirmSignUp, 'TOO_MANY_REQUESTS'],
    ['LimitExceededException', signUp, 'TOO_MANY_REQUESTS'],
    ['InvalidPasswordException', signUp, 'BAD_USER_INPUT'],
    ['InvalidParameterException', signUp, 'BAD_USER_INPUT'],
    ['NotAuthorizedException', signIn, 'UNAUTHENTICATED'],
    ['UserNotFoundException', signIn, 'UNAUTHENTICATED'],
    ['InvalidPasswordException', signIn, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', refreshTokens, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', getUser, 'UNAUTHENTICATED'],
    ['UserNotFoundException', confirmSignUp, 'CODE_MISMATCH'],
    ['NotAuthorizedException', confirmSignUp, 'CODE_MISMATCH'],
    ['UserLambdaValidationException', signUp, 'BAD_USER_INPUT'],
    ['InvalidParameterException', signIn, 'INTERNAL_SERVER_ERROR'],
    ['InvalidParameterException', refreshTokens, 'INTERNAL_SERVER_ERROR'],
    ['InvalidParameterException', getUser, 'INTERNAL_SERVER_ERROR'],
    ['InvalidParameterException', respondToChallenge, 'BAD_USER_INPUT'],
    ['PasswordResetRequiredException', signIn, 'UNAUTHENTICATED'],
    ['ExpiredCodeException', verifyEmail, 'CODE_EXPIRED'],
    ['CodeMismatchException', verifyEmail, 'CODE_MISMATCH'],
    ['NotAuthorizedException', verifyEmail, 'CODE_MISMATCH'],
    ['ExpiredCodeException', confirmForgotPassword, 'CODE_MISMATCH'],
    ['UserNotFoundException', confirmForgotPassword, 'CODE_MISMATCH'],
    ['InvalidPasswordException', confirmForgotPassword, 'BAD_USER_INPUT'],
    ['EnableSoftwareTokenMFAException', verifySoftwareToken, 'CODE_MISMATCH'],
    ['NotAuthorizedException', respondToChallenge, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', associateSoftwareToken, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', changePassword, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', deleteUser, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', globalSignOut, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', preferTotp, 'UNAUTHENTICATED'],
    ['NotAuthorizedException', signUp, 'BAD_USER_INPUT'],
    ['AliasExistsException', updateUserAttributes, 'BAD_USER_INPUT'],
    ['InvalidParameterException', updateUserAttributes, 'BAD_USER_INPUT'],
    ['UnsupportedOperationException', getUser, 'SERVICE_UNAVAILABLE'],
    ['Unsupported', resendConfirmationCode, 'SERVICE_UNAVAILABLE'],
    ['LimitExceededException', forgotPassword, 'TOO_MANY_REQUESTS'],
    ['PasswordHistoryPolicyViolationException', changePassword, 'BAD_USER_INPUT'],
    ['PasswordHistoryPolicyViolationException', confirmForgotPassword, 'BAD_USER_INPUT'],
  ] as const)('maps %s from %p to %s', async (type, operation, code) => {
    expect(codeOf(await refused(operation, type))).toBe(code);
  });

  it('tells the credential a request carried: an access token, or a challenge session', async () => {
    const token = await refused(associateSoftwareToken, 'NotAuthorizedException');
    expect((token as AppError).message).toBe('The access token is not valid: sign in again');
    const expired = 'The sign-in session is invalid or has expired: sign in again';
    for (const [target, operation, args] of [
      ['AssociateSoftwareToken', associateSoftwareToken, { session: fake.session('u') }],
      ['VerifySoftwareToken', verifySoftwareToken, { session: fake.session('u'), code: '123456' }],
      ['RespondToAuthChallenge', respondToChallenge, operations.find(([, op]) => op === respondToChallenge)![2]],
    ] as const) {
      fake.error(target, 'NotAuthorizedException');
      expect(await outcome(gateway, operation, args)).toMatchObject({ code: 'UNAUTHENTICATED', message: expired });
    }
  });

  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'takes an exception named like a property of every object (%s) for an unknown one: INTERNAL_SERVER_ERROR',
    async (type) => {
      for (const operation of [deleteUser, changePassword, confirmForgotPassword, forgotPassword]) {
        expect(codeOf(await refused(operation, type))).toBe('INTERNAL_SERVER_ERROR');
      }
    },
  );

  it('tells a wrong current password (UNAUTHENTICATED) from a new one that breaks the policy (BAD_USER_INPUT)', async () => {
    // cognito-local says InvalidPasswordException for a wrong current password; AWS for a policy breach.
    expect(codeOf(await refused(changePassword, 'InvalidPasswordException', 'Invalid password'))).toBe(
      'UNAUTHENTICATED',
    );
    const policy = (await refused(
      changePassword,
      'InvalidPasswordException',
      'Password does not conform to policy: Password not long enough',
    )) as AppError;
    expect(policy.code).toBe('BAD_USER_INPUT');
    expect(policy.details).toEqual({
      fields: [{ field: 'newPassword', problems: [expect.stringContaining('policy')] }],
    });
    const wrong = (await refused(
      changePassword,
      'NotAuthorizedException',
      'Incorrect username or password.',
    )) as AppError;
    expect(wrong.message).toBe('The current password is wrong');
  });

  it('names the field a password came in when it breaks the policy: password at sign-up', async () => {
    const refusal = (await refused(signUp, 'InvalidPasswordException', 'Password not long enough')) as AppError;
    expect(refusal.details).toEqual({ fields: [{ field: 'password', problems: [expect.stringContaining('policy')] }] });
  });

  it.each([confirmSignUp, confirmForgotPassword])(
    'answers %p alike for a wrong code, an unknown user, a confirmed one and an expired code: no account enumeration',
    async (operation) => {
      // cognito-local: CodeMismatch (wrong code), NotAuthorized or UserNotFound (unknown user),
      // ExpiredCode (no pending code: a confirmed user). AWS: NotAuthorized for a confirmed user.
      const answers: object[] = [];
      for (const type of [
        'CodeMismatchException',
        'EnableSoftwareTokenMFAException',
        'NotAuthorizedException',
        'UserNotFoundException',
        'ExpiredCodeException',
      ]) {
        const { code, message, details } = (await refused(operation, type, `${type} text`)) as AppError;
        answers.push({ code, message, details });
      }
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]).toMatchObject({ code: 'CODE_MISMATCH', message: expect.stringMatching(/expired/) });
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
  ])("never passes Cognito's own text to the client: %s (%s), from any operation", async (type, text) => {
    for (const [target, operation, args] of operations) {
      fake.error(target, type, text);
      const outcome = await gateway.run(operation, args).then(
        (answer: unknown) => ({ answer }),
        (error: AppError) => ({ message: error.message, details: error.details }),
      );
      expect(JSON.stringify(outcome)).not.toContain(text);
    }
  });

  it('answers every failed sign-in with one message, whatever Cognito said', async () => {
    for (const type of ['NotAuthorizedException', 'UserNotFoundException', 'InvalidPasswordException']) {
      const refusal = (await refused(signIn, type, `${type} says the user does not exist`)) as AppError;
      expect(refusal.message).toBe(INVALID_CREDENTIALS);
    }
  });

  it('maps a Cognito that does not answer in time, and an HTTP 503, to SERVICE_UNAVAILABLE', async () => {
    fake.reply('SignUp', 'hang');
    const slow = gatewayAt(fake.url, 200);
    const args = { username: 'u', password: 'P4ss-word!', email: 'u@example.com' };
    expect(codeOf(await outcome(slow, signUp, args))).toBe('SERVICE_UNAVAILABLE');
    slow.onApplicationShutdown();
    warnings.splice(0);
    expect(codeOf(await refused(signUp, 'ServiceUnavailable', 'x', 503))).toBe('SERVICE_UNAVAILABLE');
    expect(codeOf(await refused(getUser, 'InternalErrorException', 'x', 500))).toBe('SERVICE_UNAVAILABLE');
    // An outage fails every request: the log says so once a while, not once a request.
    expect(warnings.filter((line) => line.includes('Cognito is unavailable'))).toHaveLength(1);
  });

  it('maps a refused connection to SERVICE_UNAVAILABLE', async () => {
    const closed = new FakeCognito({ clientId: CLIENT });
    const endpoint = await closed.start();
    await closed.stop();
    const away = gatewayAt(endpoint);
    expect(codeOf(await outcome(away, getUser, { accessToken: 't' }))).toBe('SERVICE_UNAVAILABLE');
    away.onApplicationShutdown();
  });

  it.each([
    'Unable to verify secret hash for client 1a2b3c',
    'Client 1a2b3c is configured for secret but secret was not received',
  ])(
    'reports a client secret problem ("%s") as ours (INTERNAL_SERVER_ERROR, logged), not as bad credentials',
    async (message) => {
      for (const operation of [signUp, confirmSignUp, signIn, refreshTokens, forgotPassword, resendConfirmationCode]) {
        expect(codeOf(await refused(operation, 'NotAuthorizedException', message))).toBe('INTERNAL_SERVER_ERROR');
      }
    },
  );

  it('reports a client secret RevokeToken refuses as ours (INTERNAL_SERVER_ERROR), though it takes other refusals as done', async () => {
    // A wrong COGNITO_CLIENT_SECRET is ours to fix, for every operation: the operator must hear of
    // it. (Before the gateway, RevokeToken alone took it for a token with nothing left to revoke.)
    expect(codeOf(await refused(revokeToken, 'NotAuthorizedException', 'Invalid client secret'))).toBe(
      'INTERNAL_SERVER_ERROR',
    );
  });

  it.each([forgotPassword, resendConfirmationCode])(
    'answers %p for an unknown user as for a known one, but not a client secret problem or a limit',
    async (operation) => {
      const undisclosed = { answer: { destination: null, medium: 'EMAIL', attributeName: 'email' } };
      expect(await refused(operation, 'UserNotFoundException')).toEqual(undisclosed);
      expect(await refused(operation, 'NotAuthorizedException', 'User is disabled.')).toEqual(undisclosed);
      expect(await refused(operation, 'InvalidParameterException')).toEqual(undisclosed);
      expect(await refused(operation, 'CodeDeliveryFailureException')).toEqual(undisclosed);
      expect(codeOf(await refused(operation, 'LimitExceededException'))).toBe('TOO_MANY_REQUESTS');
    },
  );

  it('takes a sign-out step the pool cannot do as done, and says so once per operation', async () => {
    expect(await refused(globalSignOut, 'Unsupported')).toEqual({ answer: undefined });
    expect(await refused(globalSignOut, 'UnsupportedOperationException')).toEqual({ answer: undefined });
    expect(await refused(revokeToken, 'UnsupportedOperationException')).toEqual({ answer: undefined });
    expect(warnings.filter((line) => line.includes('does not support GlobalSignOut'))).toHaveLength(1);
    expect(warnings.filter((line) => line.includes('does not support RevokeToken'))).toHaveLength(1);
  });

  it.each([
    'UnsupportedTokenTypeException',
    'UnauthorizedException',
    'NotAuthorizedException',
    'InvalidParameterException',
  ])('takes a refresh token Cognito will not revoke (%s) as one with nothing left to revoke', async (type) => {
    expect(await refused(revokeToken, type)).toEqual({ answer: undefined });
  });

  it('masks anything unexpected as INTERNAL_SERVER_ERROR, keeping the cause for the log only', async () => {
    const mapped = (await refused(signUp, 'SomethingNewException', 'internal detail')) as AppError;
    expect(mapped).toBeInstanceOf(InternalServerError);
    expect(mapped.message).toBe('Internal server error');
    expect(mapped.cause).toMatchObject({ name: 'SomethingNewException', message: 'internal detail' });
  });
});

function gatewayAt(endpoint: string, timeoutMs = 2000): CognitoGateway {
  return new CognitoGateway(
    describePool({ userPoolId: 'local_ops', clientId: CLIENT, region: 'local', endpoint }),
    timeoutMs,
  );
}
