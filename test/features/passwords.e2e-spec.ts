import {
  AuthenticateDocument,
  ChangePasswordDocument,
  ConfirmForgotPasswordDocument,
  ForgotPasswordDocument,
  RefreshTokensDocument,
  SetupTotpDocument,
  VerifyTotpDocument,
  WhoAmIDocument,
} from '../../examples/generated/graphql';
import { FakeCognito } from '../support/fake-cognito';
import { nextSecond, PASSWORD, probes, signUpAndIn, tokensOf } from '../support/flows';
import {
  badFields,
  challenge,
  CLIENT,
  COGNITO_TOKENS,
  NEW_PASSWORD,
  nowSeconds,
  onFakePool,
  SECRET,
  secretHash,
  WEAK_PASSWORD,
} from '../support/protocol';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';
import { TokenMinter } from '../support/token-minter';
import { totp } from '../support/totp';
import { describeCodeDelivery } from './code-delivery-cases';

// Passwords: forgotPassword and confirmForgotPassword (a reset ends every session), changePassword.

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('passwords (embedded emulator)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const { signIn, meOf } = probes(() => server);

  describe('forgotPassword and confirmForgotPassword', () => {
    it('resets a password with the emailed code; the old one stops working', async () => {
      await signUpAndIn(server, 'fp-alice');
      const logged = server.logger.lines.length;
      const sent = await server.send(ForgotPasswordDocument, { input: { username: 'fp-alice' } });
      expect(sent.data!.forgotPassword).toEqual({ destination: null, medium: 'EMAIL', attributeName: 'email' });
      const code = await server.logger.codeFor('fp-alice', logged);

      const wrong = await server.send(ConfirmForgotPasswordDocument, {
        input: { username: 'fp-alice', code: code === '000000' ? '111111' : '000000', newPassword: NEW_PASSWORD },
      });
      expect(errorCodes(wrong)).toEqual(['CODE_MISMATCH']);
      const weak = await server.send(ConfirmForgotPasswordDocument, {
        input: { username: 'fp-alice', code, newPassword: 'weak' },
      });
      expect(errorCodes(weak)).toEqual(['BAD_USER_INPUT']);
      expect(weak.errors![0].extensions.fields).toEqual([{ field: 'newPassword', problems: expect.any(Array) }]);

      const reset = await server.send(ConfirmForgotPasswordDocument, {
        input: { username: 'fp-alice', code, newPassword: NEW_PASSWORD },
      });
      expect(reset.data).toEqual({ confirmForgotPassword: true });
      expect((await signIn('fp-alice', NEW_PASSWORD)).__typename).toBe('AuthTokens');
      expect(
        errorCodes(await server.send(AuthenticateDocument, { input: { username: 'fp-alice', password: PASSWORD } })),
      ).toEqual(['UNAUTHENTICATED']);
    });

    /** forgotPassword, the code from the log, confirmForgotPassword: answers whether it was done. */
    const reset = async (username: string) => {
      const logged = server.logger.lines.length;
      await server.send(ForgotPasswordDocument, { input: { username } });
      const code = await server.logger.codeFor(username, logged);
      return server.send(ConfirmForgotPasswordDocument, { input: { username, code, newPassword: NEW_PASSWORD } });
    };

    it('ends every session of the user: the old access and refresh tokens are refused, the new password signs in', async () => {
      const before = await signUpAndIn(server, 'fp-eve');
      expect((await meOf(before.accessToken)).data).toMatchObject({ me: { username: 'fp-eve' } });
      await nextSecond();

      expect((await reset('fp-eve')).data).toEqual({ confirmForgotPassword: true });
      expect(server.logger.lines.join('\n')).not.toMatch(/could not be ended|Could not revoke/);

      const me = await meOf(before.accessToken);
      expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
      expect(me.errors![0].message).toContain('signed out');
      expect(
        errorCodes(await server.send(RefreshTokensDocument, { input: { refreshToken: before.refreshToken } })),
      ).toEqual(['UNAUTHENTICATED']);
      // The reset answers once the second of its record is over: the next sign-in works at once.
      const after = tokensOf(await signIn('fp-eve', NEW_PASSWORD));
      expect((await meOf(after.accessToken)).data).toMatchObject({ me: { username: 'fp-eve' } });
      expect(
        (await server.send(RefreshTokensDocument, { input: { refreshToken: after.refreshToken! } })).data!
          .refreshTokens,
      ).toEqual(expect.objectContaining({ accessToken: expect.any(String) }));
    });

    it('ends the sessions of an MFA user too (the name comes from the challenge: USER_ID_FOR_SRP)', async () => {
      const before = await signUpAndIn(server, 'fp-mfa');
      const setup = (await server.send(SetupTotpDocument, {}, before.accessToken)).data!.setupTotp;
      await server.send(VerifyTotpDocument, { input: { code: totp(setup.secretCode) } }, before.accessToken);
      expect((await signIn('fp-mfa')).__typename).toBe('AuthChallenge');
      await nextSecond();

      expect((await reset('fp-mfa')).data).toEqual({ confirmForgotPassword: true });

      expect(errorCodes(await meOf(before.accessToken))).toEqual(['UNAUTHENTICATED']);
      expect(
        errorCodes(await server.send(RefreshTokensDocument, { input: { refreshToken: before.refreshToken } })),
      ).toEqual(['UNAUTHENTICATED']);
    });

    it('answers an unknown user exactly as a known one', async () => {
      await signUpAndIn(server, 'fp-known');
      const known = await server.send(ForgotPasswordDocument, { input: { username: 'fp-known' } });
      const unknown = await server.send(ForgotPasswordDocument, { input: { username: 'fp-nobody' } });
      expect(unknown).toEqual(known);
    });

    it('gives an unknown user CODE_MISMATCH on confirmation, as a wrong code', async () => {
      const response = await server.send(ConfirmForgotPasswordDocument, {
        input: { username: 'fp-nobody', code: '123456', newPassword: NEW_PASSWORD },
      });
      expect(errorCodes(response)).toEqual(['CODE_MISMATCH']);
    });
  });

  describe('changePassword', () => {
    it('refuses a wrong current password, the same password and a weak one', async () => {
      const { accessToken } = await signUpAndIn(server, 'cp-bob');
      const change = (currentPassword: string, newPassword: string) =>
        server.send(ChangePasswordDocument, { input: { currentPassword, newPassword } }, accessToken);
      expect(errorCodes(await change('Wr0ng-pass!', NEW_PASSWORD))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await change(PASSWORD, PASSWORD))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await change(PASSWORD, 'weakpass'))).toEqual(['BAD_USER_INPUT']);
      // Both rules of the new password, in one answer.
      const same = await change('weakpass', 'weakpass');
      expect(same.errors![0].extensions.fields).toEqual([
        {
          field: 'newPassword',
          problems: expect.arrayContaining(['must differ from the current password', 'must contain a digit']),
        },
      ]);
      expect(
        errorCodes(
          await server.send(ChangePasswordDocument, {
            input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
          }),
        ),
      ).toEqual(['UNAUTHENTICATED']);
    });

    it('changes it, ends the other sessions and keeps this one', async () => {
      const other = await signUpAndIn(server, 'cp-carol');
      const current = tokensOf(await signIn('cp-carol'));
      const changed = await server.send(
        ChangePasswordDocument,
        { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
        current.accessToken,
      );
      expect(changed.data).toEqual({ changePassword: true });

      expect((await meOf(current.accessToken)).data).toMatchObject({ me: { username: 'cp-carol' } });
      expect(errorCodes(await meOf(other.accessToken))).toEqual(['UNAUTHENTICATED']);
      await nextSecond();
      expect((await signIn('cp-carol', NEW_PASSWORD)).__typename).toBe('AuthTokens');
    });
  });
});

// cognito-local cannot be made to give, on demand, each of Cognito's refusals, a server fault (also
// of the sign-in after a reset) or a code sent by SMS; the fake gives them, and records each request
// exactly (test/support/protocol.ts).
describe('passwords against a fake Cognito (what cognito-local cannot do)', () => {
  const pool = onFakePool();
  let fake: FakeCognito;
  let server: TestServer;
  let minter: TokenMinter;
  beforeAll(() => {
    ({ fake, server, minter } = pool);
  });

  const { answer, targets, newUsername } = pool;
  describeCodeDelivery(pool, {
    mutation: 'forgotPassword',
    target: 'ForgotPassword',
    send: (username) => pool.server.send(ForgotPasswordDocument, { input: { username } }),
  });

  describe('protocol: confirmForgotPassword (ConfirmForgotPassword)', () => {
    const confirm = (username: string, newPassword = NEW_PASSWORD) =>
      server.send(ConfirmForgotPasswordDocument, { input: { username, code: '123456', newPassword } });

    it('sends {ClientId, SecretHash, Username, ConfirmationCode, Password}, then signs in once with the new password to end every session', async () => {
      const typed = newUsername();
      answer('ConfirmForgotPassword');
      // Cognito's name for the user may differ from the one typed (an email alias, another case).
      const canonical = `${typed}-canonical`;
      const old = minter.accessToken(`sub-of-${canonical}`, { username: canonical, auth_time: nowSeconds() - 60 });
      const throwAway = minter.accessToken(`sub-of-${canonical}`, { username: canonical });
      answer('InitiateAuth', { AuthenticationResult: { ...COGNITO_TOKENS, AccessToken: throwAway } });
      answer('RevokeToken');
      expect((await server.send(WhoAmIDocument, {}, old)).errors).toBeUndefined();

      const response = await confirm(typed);

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ confirmForgotPassword: true });
      expect(targets()).toEqual(['ConfirmForgotPassword', 'InitiateAuth', 'RevokeToken']);
      expect(fake.calls[0].body).toEqual({
        ClientId: CLIENT,
        SecretHash: secretHash(typed),
        Username: typed,
        ConfirmationCode: '123456',
        Password: NEW_PASSWORD,
      });
      expect(fake.calls[1].body).toEqual({
        ClientId: CLIENT,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: typed, PASSWORD: NEW_PASSWORD, SECRET_HASH: secretHash(typed) },
      });
      // The throw-away sign-in's refresh token is revoked.
      expect(fake.calls[2].body).toEqual({
        Token: COGNITO_TOKENS.RefreshToken,
        ClientId: CLIENT,
        ClientSecret: SECRET,
      });
      for (const token of [old, throwAway]) {
        expect(errorCodes(await server.send(WhoAmIDocument, {}, token))).toEqual(['UNAUTHENTICATED']);
      }
    });

    it('learns the name of an MFA user from the challenge (USER_ID_FOR_SRP), and leaves the challenge unanswered', async () => {
      const typed = newUsername();
      const canonical = `${typed}-canonical`;
      const old = minter.accessToken(`sub-of-${canonical}`, { username: canonical, auth_time: nowSeconds() - 60 });
      answer('ConfirmForgotPassword');
      answer('InitiateAuth', challenge('SOFTWARE_TOKEN_MFA', 'totp-session', { USER_ID_FOR_SRP: canonical }));

      const response = await confirm(typed);

      expect(response.data).toEqual({ confirmForgotPassword: true });
      expect(targets()).toEqual(['ConfirmForgotPassword', 'InitiateAuth']);
      expect(errorCodes(await server.send(WhoAmIDocument, {}, old))).toEqual(['UNAUTHENTICATED']);
    });

    it('ends the sessions under the name typed when the sign-in after the reset fails, answers true and says so in the log', async () => {
      const typed = newUsername();
      const old = minter.accessToken(`sub-of-${typed}`, { username: typed, auth_time: nowSeconds() - 60 });
      answer('ConfirmForgotPassword');
      fake.error('InitiateAuth', 'InternalErrorException', 'Internal error', 500);
      const logged = server.logger.lines.length;

      const response = await confirm(typed);

      expect(response.data).toEqual({ confirmForgotPassword: true });
      expect(server.logger.lines.slice(logged).join('\n')).toMatch(/ended only under the name typed/);
      expect(errorCodes(await server.send(WhoAmIDocument, {}, old))).toEqual(['UNAUTHENTICATED']);
    });

    it.each([
      ['CodeMismatchException', 'CODE_MISMATCH', 'Invalid verification code provided, please try again.'],
      // An expired code, or an unknown user, gets the answer of a wrong code: the call does not tell
      // who has an account.
      ['ExpiredCodeException', 'CODE_MISMATCH', 'Invalid code provided, please request a code again.'],
      ['UserNotFoundException', 'CODE_MISMATCH', 'Username/client id combination not found.'],
      ['LimitExceededException', 'TOO_MANY_REQUESTS', 'Attempt limit exceeded, please try after some time.'],
      ['TooManyFailedAttemptsException', 'TOO_MANY_REQUESTS', 'Too many failed attempts.'],
    ])('answers %s with %s', async (type, code, message) => {
      fake.error('ConfirmForgotPassword', type, message);
      expect(errorCodes(await confirm(newUsername()))).toEqual([code]);
    });

    it("answers Cognito's own policy refusal (InvalidPasswordException) with BAD_USER_INPUT on newPassword", async () => {
      fake.error(
        'ConfirmForgotPassword',
        'InvalidPasswordException',
        'Password does not conform to policy: Password not long enough',
      );
      const response = await confirm(newUsername());
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['newPassword']);
    });

    it('refuses a weak newPassword with BAD_USER_INPUT without calling Cognito', async () => {
      answer('ConfirmForgotPassword');
      const response = await confirm(newUsername(), WEAK_PASSWORD);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['newPassword']);
      expect(fake.calls).toEqual([]);
    });
  });
});
