import { REFUSED_INPUT } from '../src/cognito/cognito-errors';
import { COGNITO_POOL } from '../src/cognito/cognito.constants';
import { CognitoPool } from '../src/cognito/cognito-pool';
import { AUTHENTICATE, ME, PASSWORD, REFRESH, REGISTER, signUpAndIn } from './support/flows';
import { PoolAdmin } from './support/pool-admin';
import { until } from './support/redis-contract';
import { errorCodes, startTestServer, TestServer } from './support/test-server';
import { totp } from './support/totp';

// The account lifecycle against the embedded emulator (cognito-local over HTTP), through GraphQL.
// What cognito-local cannot do (ResendConfirmationCode, GlobalSignOut, SMS and MFA_SETUP challenges)
// is covered by the protocol tests in protocol.e2e-spec.ts.
const NEW_PASSWORD = 'N3w-Passw0rd!';

const FORGOT = `mutation ($input: UsernameInput!) { forgotPassword(input: $input) { destination medium attributeName } }`;
const RESEND = `mutation ($input: UsernameInput!) { resendConfirmationCode(input: $input) { destination medium } }`;
const CONFIRM_FORGOT = `mutation ($input: ConfirmForgotPasswordInput!) { confirmForgotPassword(input: $input) }`;
const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const SIGN_OUT = `mutation ($refreshToken: String) { signOut(refreshToken: $refreshToken) }`;
const UPDATE_ME = `mutation ($input: UpdateMeInput!) { updateMe(input: $input) { username email emailVerified name } }`;
const VERIFY_EMAIL = `mutation ($input: VerifyEmailInput!) { verifyEmail(input: $input) { email } }`;
const DELETE_ME = `mutation { deleteMe }`;
const SETUP_TOTP = `mutation { setupTotp { secretCode otpauthUri } }`;
const VERIFY_TOTP = `mutation ($input: VerifyTotpInput!) { verifyTotp(input: $input) }`;
const MFA = `mutation ($input: MfaChallengeInput!) {
  respondToMfaChallenge(input: $input) {
    __typename ... on AuthTokens { accessToken } ... on AuthChallenge { name session }
  }
}`;
const NEW_PASSWORD_CHALLENGE = `mutation ($input: NewPasswordChallengeInput!) {
  respondToNewPasswordChallenge(input: $input) {
    __typename ... on AuthTokens { accessToken } ... on AuthChallenge { name session }
  }
}`;

/** Sessions are compared by whole seconds: a sign-in in the second of a sign-out counts as before it. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));

describe('the account lifecycle (embedded emulator)', () => {
  let server: TestServer;
  let admin: PoolAdmin;

  beforeAll(async () => {
    server = await startTestServer();
    admin = new PoolAdmin(server);
  });
  afterAll(async () => {
    admin?.close();
    await server?.close();
  });

  const signIn = async (username: string, password = PASSWORD) =>
    (await server.gql(AUTHENTICATE, { input: { username, password } })).data?.authenticate;
  const meOf = (token: string) => server.gql('{ me { username } }', {}, token);

  describe('forgotPassword and confirmForgotPassword', () => {
    it('resets a password with the emailed code; the old one stops working', async () => {
      await signUpAndIn(server, 'fp-alice');
      const logged = server.logger.lines.length;
      const sent = await server.gql(FORGOT, { input: { username: 'fp-alice' } });
      expect(sent.data.forgotPassword).toEqual({ destination: null, medium: 'EMAIL', attributeName: 'email' });
      const code = await server.logger.codeFor('fp-alice', logged);

      const wrong = await server.gql(CONFIRM_FORGOT, {
        input: { username: 'fp-alice', code: code === '000000' ? '111111' : '000000', newPassword: NEW_PASSWORD },
      });
      expect(errorCodes(wrong)).toEqual(['CODE_MISMATCH']);
      const weak = await server.gql(CONFIRM_FORGOT, { input: { username: 'fp-alice', code, newPassword: 'weak' } });
      expect(errorCodes(weak)).toEqual(['BAD_USER_INPUT']);
      expect(weak.errors![0].extensions.fields).toEqual([{ field: 'newPassword', problems: expect.any(Array) }]);

      const reset = await server.gql(CONFIRM_FORGOT, {
        input: { username: 'fp-alice', code, newPassword: NEW_PASSWORD },
      });
      expect(reset.data).toEqual({ confirmForgotPassword: true });
      expect((await signIn('fp-alice', NEW_PASSWORD)).__typename).toBe('AuthTokens');
      expect(
        errorCodes(await server.gql(AUTHENTICATE, { input: { username: 'fp-alice', password: PASSWORD } })),
      ).toEqual(['UNAUTHENTICATED']);
    });

    /** forgotPassword, the code from the log, confirmForgotPassword: answers whether it was done. */
    const reset = async (username: string) => {
      const logged = server.logger.lines.length;
      await server.gql(FORGOT, { input: { username } });
      const code = await server.logger.codeFor(username, logged);
      return server.gql(CONFIRM_FORGOT, { input: { username, code, newPassword: NEW_PASSWORD } });
    };

    it('ends every session of the user: the old access and refresh tokens are refused, the new password signs in', async () => {
      const before = await signUpAndIn(server, 'fp-eve');
      expect((await meOf(before.accessToken)).data).toEqual({ me: { username: 'fp-eve' } });
      await nextSecond();

      expect((await reset('fp-eve')).data).toEqual({ confirmForgotPassword: true });
      expect(server.logger.lines.join('\n')).not.toMatch(/could not be ended|Could not revoke/);

      const me = await meOf(before.accessToken);
      expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
      expect(me.errors![0].message).toContain('signed out');
      expect(errorCodes(await server.gql(REFRESH, { input: { refreshToken: before.refreshToken } }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      // The reset answers once the second of its record is over: the next sign-in works at once.
      const after = await signIn('fp-eve', NEW_PASSWORD);
      expect((await meOf(after.accessToken)).data).toEqual({ me: { username: 'fp-eve' } });
      expect((await server.gql(REFRESH, { input: { refreshToken: after.refreshToken } })).data.refreshTokens).toEqual(
        expect.objectContaining({ accessToken: expect.any(String) }),
      );
    });

    it('ends the sessions of an MFA user too (the name comes from the challenge: USER_ID_FOR_SRP)', async () => {
      const before = await signUpAndIn(server, 'fp-mfa');
      const setup = (await server.gql(SETUP_TOTP, {}, before.accessToken)).data.setupTotp;
      await server.gql(VERIFY_TOTP, { input: { code: totp(setup.secretCode) } }, before.accessToken);
      expect((await signIn('fp-mfa')).__typename).toBe('AuthChallenge');
      await nextSecond();

      expect((await reset('fp-mfa')).data).toEqual({ confirmForgotPassword: true });

      expect(errorCodes(await meOf(before.accessToken))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.gql(REFRESH, { input: { refreshToken: before.refreshToken } }))).toEqual([
        'UNAUTHENTICATED',
      ]);
    });

    it('answers an unknown user exactly as a known one', async () => {
      await signUpAndIn(server, 'fp-known');
      const known = await server.gql(FORGOT, { input: { username: 'fp-known' } });
      const unknown = await server.gql(FORGOT, { input: { username: 'fp-nobody' } });
      expect(unknown).toEqual(known);
    });

    it('gives an unknown user CODE_MISMATCH on confirmation, as a wrong code', async () => {
      const response = await server.gql(CONFIRM_FORGOT, {
        input: { username: 'fp-nobody', code: '123456', newPassword: NEW_PASSWORD },
      });
      expect(errorCodes(response)).toEqual(['CODE_MISMATCH']);
    });
  });

  it('says plainly that the emulator cannot resend a confirmation code', async () => {
    const response = await server.gql(RESEND, { input: { username: 'anyone' } });
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(response.errors![0].message).toBe('This user pool does not support this operation');
  });

  describe('changePassword', () => {
    it('refuses a wrong current password, the same password and a weak one', async () => {
      const { accessToken } = await signUpAndIn(server, 'cp-bob');
      const change = (currentPassword: string, newPassword: string) =>
        server.gql(CHANGE, { input: { currentPassword, newPassword } }, accessToken);
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
        errorCodes(await server.gql(CHANGE, { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })),
      ).toEqual(['UNAUTHENTICATED']);
    });

    it('changes it, ends the other sessions and keeps this one', async () => {
      const other = await signUpAndIn(server, 'cp-carol');
      const current = await signIn('cp-carol');
      const changed = await server.gql(
        CHANGE,
        { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } },
        current.accessToken,
      );
      expect(changed.data).toEqual({ changePassword: true });

      expect((await meOf(current.accessToken)).data).toEqual({ me: { username: 'cp-carol' } });
      expect(errorCodes(await meOf(other.accessToken))).toEqual(['UNAUTHENTICATED']);
      await nextSecond();
      expect((await signIn('cp-carol', NEW_PASSWORD)).__typename).toBe('AuthTokens');
    });
  });

  describe('signOut', () => {
    it('refuses every earlier token of the user at once, and revokes the refresh token it is given', async () => {
      const first = await signUpAndIn(server, 'so-dave');
      const second = await signIn('so-dave');
      expect((await meOf(first.accessToken)).data).toEqual({ me: { username: 'so-dave' } });

      const out = await server.gql(SIGN_OUT, { refreshToken: second.refreshToken }, second.accessToken);
      expect(out.data).toEqual({ signOut: true });
      // cognito-local has no GlobalSignOut: the server says so and enforces the sign-out itself.
      expect(server.logger.lines.join('\n')).toContain('does not support GlobalSignOut');

      for (const token of [first.accessToken, second.accessToken]) {
        const me = await meOf(token);
        expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
        expect(me.errors![0].message).toContain('signed out');
      }
      expect(errorCodes(await server.gql(REFRESH, { input: { refreshToken: second.refreshToken } }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      // The other session's refresh token was not given to signOut, and cognito-local cannot end
      // it: this server still refuses to refresh it.
      await nextSecond();
      expect(errorCodes(await server.gql(REFRESH, { input: { refreshToken: first.refreshToken } }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(errorCodes(await server.gql(SIGN_OUT, {}, first.accessToken))).toEqual(['UNAUTHENTICATED']);

      await nextSecond();
      const again = await signIn('so-dave');
      expect((await meOf(again.accessToken)).data).toEqual({ me: { username: 'so-dave' } });
    });

    it('needs a signed-in user', async () => {
      expect(errorCodes(await server.gql(SIGN_OUT, {}))).toEqual(['UNAUTHENTICATED']);
    });

    it("logs the emulator's missing GlobalSignOut as our one warning, not as its error; its real errors still", async () => {
      const logged = server.logger.lines.length;
      const { accessToken } = await signUpAndIn(server, 'so-quiet');
      expect((await server.gql(SIGN_OUT, {}, accessToken)).data).toEqual({ signOut: true });
      expect(server.logger.lines.slice(logged).filter((line) => line.startsWith('error'))).toEqual([]);
      // Ours, once in the server's life however many sign-outs came before this one.
      expect(
        server.logger.lines.filter((line) => line.includes('This user pool does not support GlobalSignOut')),
      ).toEqual([expect.stringMatching(/^warn/)]);

      // A request the emulator fails on (attributes that are not a list): its own error, passed on.
      const { endpoint, clientId } = server.app.get<symbol, CognitoPool>(COGNITO_POOL);
      await fetch(endpoint!, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.SignUp',
        },
        body: JSON.stringify({ ClientId: clientId, Username: 'so-broken', Password: PASSWORD, UserAttributes: 'x' }),
      });
      await until(
        () => server.logger.lines.some((line) => line.includes('Error handling target: SignUp')),
        "the emulator's error",
      );
      expect(server.logger.lines.find((line) => line.includes('Error handling target: SignUp'))).toMatch(
        /^error \[LocalCognito\] cognito-local: /,
      );
    });

    it('signs out even when the refresh token it is given cannot be revoked', async () => {
      const { accessToken } = await signUpAndIn(server, 'so-garbage');
      expect((await server.gql(SIGN_OUT, { refreshToken: 'not-a-refresh-token' }, accessToken)).data).toEqual({
        signOut: true,
      });
      expect(errorCodes(await meOf(accessToken))).toEqual(['UNAUTHENTICATED']);
    });

    it('ends the session for the rest of the same request too', async () => {
      const { accessToken } = await signUpAndIn(server, 'so-same');
      const response = await server.gql('mutation { signOut again: signOut }', {}, accessToken);
      // signOut ran (the second field's error nulls the whole non-null result, as GraphQL does).
      expect(response.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['again'], 'UNAUTHENTICATED']]);
      expect(errorCodes(await meOf(accessToken))).toEqual(['UNAUTHENTICATED']);
    });
  });

  describe('updateMe and verifyEmail', () => {
    it('changes the name at once', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-erin', 'Erin');
      const updated = await server.gql(UPDATE_ME, { input: { name: 'Erin Renamed' } }, accessToken);
      expect(updated.data.updateMe).toMatchObject({ username: 'um-erin', name: 'Erin Renamed' });
      expect((await server.gql(ME, {}, accessToken)).data.me.name).toBe('Erin Renamed');
    });

    it('changes the email, verified with the code sent to it', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-frank');
      const logged = server.logger.lines.length;
      const updated = await server.gql(UPDATE_ME, { input: { email: 'frank@new.example.com' } }, accessToken);
      expect(updated.errors).toBeUndefined();
      const code = await server.logger.codeFor('um-frank', logged);

      const wrong = await server.gql(
        VERIFY_EMAIL,
        { input: { code: code === '000000' ? '111111' : '000000' } },
        accessToken,
      );
      expect(errorCodes(wrong)).toEqual(['CODE_MISMATCH']);
      const verified = await server.gql(VERIFY_EMAIL, { input: { code } }, accessToken);
      expect(verified.data).toEqual({ verifyEmail: { email: 'frank@new.example.com' } });
    });

    it('leaves null fields as they are, and reads the profile again after each change', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-null', 'Nell');
      const response = await server.gql(
        `mutation {
          first: updateMe(input: { name: "First", email: null }) { name email }
          second: updateMe(input: { name: "Second" }) { name }
        }`,
        {},
        accessToken,
      );
      expect(response.data).toEqual({
        first: { name: 'First', email: 'um-null@example.com' },
        second: { name: 'Second' },
      });
      expect(errorCodes(await server.gql(UPDATE_ME, { input: { email: null, name: null } }, accessToken))).toEqual([
        'BAD_USER_INPUT',
      ]);
    });

    it('refuses an empty change and a bad email with BAD_USER_INPUT', async () => {
      const { accessToken } = await signUpAndIn(server, 'um-gina');
      expect(errorCodes(await server.gql(UPDATE_ME, { input: {} }, accessToken))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await server.gql(UPDATE_ME, { input: { email: 'nope' } }, accessToken))).toEqual([
        'BAD_USER_INPUT',
      ]);
    });
  });

  it('deleteMe deletes the account and refuses its tokens at once', async () => {
    const { accessToken } = await signUpAndIn(server, 'dm-hank');
    expect((await server.gql(DELETE_ME, {}, accessToken)).data).toEqual({ deleteMe: true });
    expect(errorCodes(await meOf(accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(AUTHENTICATE, { input: { username: 'dm-hank', password: PASSWORD } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  describe('TOTP MFA', () => {
    it('sets up an authenticator app, then asks sign-ins for its code', async () => {
      const { accessToken } = await signUpAndIn(server, 'mfa-ivy');
      const setup = (await server.gql(SETUP_TOTP, {}, accessToken)).data.setupTotp;
      expect(setup.secretCode).toMatch(/^[A-Z2-7]+=*$/);
      expect(setup.otpauthUri).toBe(
        `otpauth://totp/Cognito%20GraphQL%20Auth:mfa-ivy?secret=${setup.secretCode}&issuer=Cognito+GraphQL+Auth&algorithm=SHA1&digits=6&period=30`,
      );

      const wrong = await server.gql(VERIFY_TOTP, { input: { code: '000000' } }, accessToken);
      expect(errorCodes(wrong)).toEqual(['CODE_MISMATCH']);
      const verified = await server.gql(
        VERIFY_TOTP,
        { input: { code: totp(setup.secretCode), deviceName: 'phone' } },
        accessToken,
      );
      expect(verified.data).toEqual({ verifyTotp: true });

      const challenge = await signIn('mfa-ivy');
      expect(challenge).toMatchObject({ __typename: 'AuthChallenge', name: 'SOFTWARE_TOKEN_MFA' });
      const answer = (code: string) =>
        server.gql(MFA, { input: { username: 'mfa-ivy', session: challenge.session, code } });
      expect(errorCodes(await answer('000000'))).toEqual(['CODE_MISMATCH']);
      const tokens = (await answer(totp(setup.secretCode))).data.respondToMfaChallenge;
      expect(tokens.__typename).toBe('AuthTokens');
      expect((await meOf(tokens.accessToken)).data).toEqual({ me: { username: 'mfa-ivy' } });
    });

    it("answers a made-up MFA_SETUP session in words of ours, not Cognito's", async () => {
      // cognito-local answers InvalidParameterException "VerifySoftwareToken via Session (MFA_SETUP
      // flow) is not supported; call with AccessToken".
      const response = await server.gql(MFA, { input: { username: 'x', session: 'MFA_SETUP:abc', code: '123456' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(REFUSED_INPUT);
      expect(JSON.stringify(response)).not.toMatch(/VerifySoftwareToken|AccessToken|Session/);
      // The operator still finds Cognito's words, in the debug log, under the operation that was refused.
      expect(server.logger.lines.join('\n')).toMatch(/verifySoftwareToken: Cognito answered InvalidParameterException/);
    });

    it('refuses a session that is not a challenge with BAD_USER_INPUT', async () => {
      const response = await server.gql(MFA, { input: { username: 'x', session: 'no-prefix', code: '123456' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('NEW_PASSWORD_REQUIRED', () => {
    it('lets a user created by an administrator set a password, then sign in', async () => {
      await admin.createUser('np-jack', 'Temp-Passw0rd!');
      const challenge = await signIn('np-jack', 'Temp-Passw0rd!');
      expect(challenge).toMatchObject({ __typename: 'AuthChallenge', name: 'NEW_PASSWORD_REQUIRED' });
      const answer = (newPassword: string, session = challenge.session) =>
        server.gql(NEW_PASSWORD_CHALLENGE, { input: { username: 'np-jack', session, newPassword } });

      expect(errorCodes(await answer('weak'))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await answer(NEW_PASSWORD, `SMS_MFA:${challenge.session.split(':')[1]}`))).toEqual([
        'BAD_USER_INPUT',
      ]);
      const tokens = (await answer(NEW_PASSWORD)).data.respondToNewPasswordChallenge;
      expect(tokens.__typename).toBe('AuthTokens');
      expect((await signIn('np-jack', NEW_PASSWORD)).__typename).toBe('AuthTokens');
    });
  });

  it('keeps register, confirm and authenticate public, and the rest closed', async () => {
    expect(
      errorCodes(
        await server.gql(REGISTER, { input: { username: 'pub-x', email: 'x@example.com', password: PASSWORD } }),
      ),
    ).toEqual([]);
    expect(errorCodes(await server.gql(ME))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(SETUP_TOTP))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(DELETE_ME))).toEqual(['UNAUTHENTICATED']);
  });
});
