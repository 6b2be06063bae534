import { print } from 'graphql';
import {
  AuthenticateDocument,
  RefreshTokensDocument,
  RegisterDocument,
  RespondToMfaChallengeDocument,
  RespondToNewPasswordChallengeDocument,
} from '../../examples/generated/graphql';
import { FakeCognito } from '../support/fake-cognito';
import { challengeOf, PASSWORD, probes, signUpAndIn, tokensOf } from '../support/flows';
import { PoolAdmin } from '../support/pool-admin';
import {
  badFields,
  challenge,
  CLIENT,
  COGNITO_TOKENS,
  NEW_PASSWORD,
  onFakePool,
  OUR_TOKENS,
  secretHash,
  WEAK_PASSWORD,
} from '../support/protocol';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';

// Sign-in: authenticate, its challenges (new password, MFA) and refreshTokens.

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('sign-in (embedded emulator)', () => {
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

  const { signIn, meOf } = probes(() => server);

  describe('authenticate', () => {
    it('refuses an unconfirmed account with USER_NOT_CONFIRMED', async () => {
      await server.send(RegisterDocument, {
        input: { username: 'auth-new', email: 'new@example.com', password: PASSWORD },
      });
      const response = await server.send(AuthenticateDocument, { input: { username: 'auth-new', password: PASSWORD } });
      expect(errorCodes(response)).toEqual(['USER_NOT_CONFIRMED']);
    });

    it('gives a wrong password and an unknown user the same UNAUTHENTICATED answer', async () => {
      await signUpAndIn(server, 'auth-carol');
      const wrongPassword = await server.send(AuthenticateDocument, {
        input: { username: 'auth-carol', password: 'Wr0ng-pass!' },
      });
      const unknownUser = await server.send(AuthenticateDocument, {
        input: { username: 'auth-nobody', password: PASSWORD },
      });
      expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
      expect(wrongPassword.errors![0].message).toBe(unknownUser.errors![0].message);
      expect(unknownUser.errors![0].extensions).toEqual(wrongPassword.errors![0].extensions);
    });

    it('returns tokens for the right password', async () => {
      const user = await signUpAndIn(server, 'auth-dave');
      const payload = JSON.parse(Buffer.from(user.accessToken.split('.')[1], 'base64url').toString());
      expect(payload).toMatchObject({ token_use: 'access', username: 'auth-dave', sub: user.userSub });
      expect(user.refreshToken).toEqual(expect.any(String));
    });

    it("says how long the access token lives, from its own exp (the emulator's ExpiresIn says 3600)", async () => {
      await signUpAndIn(server, 'auth-expiry');
      const signedIn = await server.send(AuthenticateDocument, {
        input: { username: 'auth-expiry', password: PASSWORD },
      });
      const { accessToken, expiresIn } = tokensOf(signedIn.data?.authenticate);
      const { iat, exp } = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
      expect(exp - iat).toBe(24 * 3600);
      expect(expiresIn).toBe(exp - iat);
    });
  });

  describe('refreshTokens', () => {
    it('trades a refresh token for new tokens that work with me', async () => {
      const user = await signUpAndIn(server, 'ref-gina');
      const response = await server.send(RefreshTokensDocument, { input: { refreshToken: user.refreshToken } });
      expect(response.errors).toBeUndefined();
      const tokens = response.data!.refreshTokens;
      expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 24 * 3600 });
      const me = await meOf(tokens.accessToken);
      expect(me.data).toMatchObject({ me: { username: 'ref-gina' } });
    });

    it('refuses a refresh token that Cognito does not know with UNAUTHENTICATED', async () => {
      const response = await server.send(RefreshTokensDocument, { input: { refreshToken: 'not.a.token' } });
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses what is not shaped like a refresh token with BAD_USER_INPUT', async () => {
      const response = await server.send(RefreshTokensDocument, { input: { refreshToken: 'garbage' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('NEW_PASSWORD_REQUIRED', () => {
    it('lets a user created by an administrator set a password, then sign in', async () => {
      await admin.createUser('np-jack', 'Temp-Passw0rd!');
      const challenge = await signIn('np-jack', 'Temp-Passw0rd!');
      expect(challenge).toMatchObject({ __typename: 'AuthChallenge', name: 'NEW_PASSWORD_REQUIRED' });
      const answer = (newPassword: string, session = challengeOf(challenge).session) =>
        server.send(RespondToNewPasswordChallengeDocument, { input: { username: 'np-jack', session, newPassword } });

      expect(errorCodes(await answer('weak'))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await answer(NEW_PASSWORD, `SMS_MFA:${challengeOf(challenge).session.split(':')[1]}`))).toEqual(
        ['BAD_USER_INPUT'],
      );
      const tokens = (await answer(NEW_PASSWORD)).data!.respondToNewPasswordChallenge;
      expect(tokens.__typename).toBe('AuthTokens');
      expect((await signIn('np-jack', NEW_PASSWORD)).__typename).toBe('AuthTokens');
    });
  });

  describe('GraphQL errors', () => {
    it('answers a syntax error with GRAPHQL_PARSE_FAILED and an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
      expect(errorCodes(await server.gql('{ me { id '))).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(errorCodes(await server.gql('{ me { nope } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('does not echo an unknown extra input field value beyond its name', async () => {
      // Variables that do not fit the operation: its text, untyped.
      const response = await server.gql(print(AuthenticateDocument), {
        input: { username: 'x', password: PASSWORD, extra: 1 },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response)).not.toContain(PASSWORD);
    });
  });
});

// cognito-local 5.3.0 has only partial challenge support (its VerifySoftwareToken refuses a session,
// so no MFA_SETUP), and it does not check challenge sessions (SECURITY.md's emulator caveats): every
// challenge's requests and answers are tested against the fake (test/support/protocol.ts).
describe('sign-in against a fake Cognito (what cognito-local cannot do)', () => {
  const pool = onFakePool();
  let fake: FakeCognito;
  let server: TestServer;
  beforeAll(() => {
    ({ fake, server } = pool);
  });

  const { answer, targets, bodyOf, newUsername } = pool;
  const authenticate = (username: string) =>
    server.send(AuthenticateDocument, { input: { username, password: PASSWORD } });
  const respondToMfa = (username: string, session: string, code: string) =>
    server.send(RespondToMfaChallengeDocument, { input: { username, session, code } });
  const respondToNewPassword = (username: string, session: string, newPassword = NEW_PASSWORD) =>
    server.send(RespondToNewPasswordChallengeDocument, { input: { username, session, newPassword } });

  describe('protocol: sign-in challenges (InitiateAuth, RespondToAuthChallenge)', () => {
    /** authenticate, with InitiateAuth answering `reply`; returns the challenge our server presents. */
    const challenged = async (username: string, reply: object) => {
      answer('InitiateAuth', reply);
      const response = await authenticate(username);
      expect(response.errors).toBeUndefined();
      expect(response.data!.authenticate.__typename).toBe('AuthChallenge');
      return response.data!.authenticate as { name: string; session: string; parameters: object[] };
    };

    it('presents SMS_MFA with the session as "SMS_MFA:<Cognito session>" and its parameters', async () => {
      const username = newUsername();
      const parameters = { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******1234' };

      const presented = await challenged(username, challenge('SMS_MFA', 'cognito-session-1', parameters));

      expect(presented).toEqual({
        __typename: 'AuthChallenge',
        name: 'SMS_MFA',
        session: 'SMS_MFA:cognito-session-1',
        parameters: [
          { name: 'CODE_DELIVERY_DELIVERY_MEDIUM', value: 'SMS' },
          { name: 'CODE_DELIVERY_DESTINATION', value: '+*******1234' },
        ],
      });
      expect(targets()).toEqual(['InitiateAuth']);
      expect(fake.calls[0].body).toMatchObject({
        ClientId: CLIENT,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD, SECRET_HASH: secretHash(username) },
      });
    });

    it.each([
      ['SMS_MFA', 'SMS_MFA_CODE'],
      ['SOFTWARE_TOKEN_MFA', 'SOFTWARE_TOKEN_MFA_CODE'],
    ])('answers %s with RespondToAuthChallenge {..., %s} and returns the tokens', async (name, responseName) => {
      const username = newUsername();
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS, ChallengeParameters: {} });

      const session = fake.session(username);
      const response = await respondToMfa(username, `${name}:${session}`, '123456');

      expect(response.errors).toBeUndefined();
      expect(response.data!.respondToMfaChallenge).toEqual(OUR_TOKENS);
      expect(targets()).toEqual(['RespondToAuthChallenge']);
      expect(fake.calls[0].body).toEqual({
        ClientId: CLIENT,
        ChallengeName: name,
        Session: session,
        ChallengeResponses: { USERNAME: username, SECRET_HASH: secretHash(username), [responseName]: '123456' },
      });
    });

    it('answers SELECT_MFA_TYPE with ANSWER, and presents the chosen MFA as the next challenge', async () => {
      const username = newUsername();
      const first = await challenged(
        username,
        challenge('SELECT_MFA_TYPE', 'select-session', { MFAS_CAN_CHOOSE: '["SMS_MFA","SOFTWARE_TOKEN_MFA"]' }),
      );
      expect(first.session).toBe('SELECT_MFA_TYPE:select-session');

      answer('RespondToAuthChallenge', challenge('SOFTWARE_TOKEN_MFA', 'totp-session'));
      const second = await respondToMfa(username, first.session, 'SOFTWARE_TOKEN_MFA');

      expect(second.errors).toBeUndefined();
      expect(second.data!.respondToMfaChallenge).toEqual({
        __typename: 'AuthChallenge',
        name: 'SOFTWARE_TOKEN_MFA',
        session: 'SOFTWARE_TOKEN_MFA:totp-session',
        parameters: [],
      });
      expect(bodyOf('RespondToAuthChallenge')).toEqual({
        ClientId: CLIENT,
        ChallengeName: 'SELECT_MFA_TYPE',
        Session: 'select-session',
        ChallengeResponses: { USERNAME: username, SECRET_HASH: secretHash(username), ANSWER: 'SOFTWARE_TOKEN_MFA' },
      });
    });

    it('refuses a SELECT_MFA_TYPE answer other than SMS_MFA or SOFTWARE_TOKEN_MFA with BAD_USER_INPUT, without calling Cognito', async () => {
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS });
      const response = await respondToMfa(newUsername(), 'SELECT_MFA_TYPE:select-session', 'EMAIL_OTP');
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['code']);
      expect(fake.calls).toEqual([]);
    });

    it('answers NEW_PASSWORD_REQUIRED with RespondToAuthChallenge {..., NEW_PASSWORD} and returns the tokens', async () => {
      const username = newUsername();
      const first = await challenged(
        username,
        challenge('NEW_PASSWORD_REQUIRED', 'new-password-session', { requiredAttributes: '[]', userAttributes: '{}' }),
      );
      expect(first.session).toBe('NEW_PASSWORD_REQUIRED:new-password-session');

      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS, ChallengeParameters: {} });
      const response = await respondToNewPassword(username, first.session);

      expect(response.errors).toBeUndefined();
      expect(response.data!.respondToNewPasswordChallenge).toEqual(OUR_TOKENS);
      expect(bodyOf('RespondToAuthChallenge')).toEqual({
        ClientId: CLIENT,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: 'new-password-session',
        ChallengeResponses: { USERNAME: username, SECRET_HASH: secretHash(username), NEW_PASSWORD: NEW_PASSWORD },
      });
    });

    it('refuses a weak new password for NEW_PASSWORD_REQUIRED with BAD_USER_INPUT, without calling Cognito', async () => {
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS });
      const response = await respondToNewPassword(newUsername(), 'NEW_PASSWORD_REQUIRED:s', WEAK_PASSWORD);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(badFields(response)).toEqual(['newPassword']);
      expect(fake.calls).toEqual([]);
    });

    it('chains challenges: NEW_PASSWORD_REQUIRED answered by SMS_MFA, then SMS_MFA answered by the tokens', async () => {
      const username = newUsername();
      answer('RespondToAuthChallenge', challenge('SMS_MFA', 'sms-session', { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS' }));
      const next = await respondToNewPassword(username, `NEW_PASSWORD_REQUIRED:${fake.session(username)}`);

      expect(next.errors).toBeUndefined();
      expect(next.data!.respondToNewPasswordChallenge).toEqual({
        __typename: 'AuthChallenge',
        name: 'SMS_MFA',
        session: 'SMS_MFA:sms-session',
        parameters: [{ name: 'CODE_DELIVERY_DELIVERY_MEDIUM', value: 'SMS' }],
      });

      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS, ChallengeParameters: {} });
      const done = await respondToMfa(
        username,
        challengeOf(next.data?.respondToNewPasswordChallenge).session,
        '654321',
      );

      expect(done.data!.respondToMfaChallenge).toEqual(OUR_TOKENS);
      expect(targets()).toEqual(['RespondToAuthChallenge', 'RespondToAuthChallenge']);
      expect(fake.calls[1].body).toMatchObject({
        ChallengeName: 'SMS_MFA',
        Session: 'sms-session',
        ChallengeResponses: { USERNAME: username, SECRET_HASH: secretHash(username), SMS_MFA_CODE: '654321' },
      });
    });

    it('sets up TOTP for MFA_SETUP: AssociateSoftwareToken {Session}, then SECRET_CODE and OTPAUTH_URI', async () => {
      const username = newUsername();
      answer('AssociateSoftwareToken', { SecretCode: 'JBSWY3DPEHPK3PXP', Session: 'associate-session' });

      const presented = await challenged(
        username,
        challenge('MFA_SETUP', 'setup-session', { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' }),
      );

      expect(targets()).toEqual(['InitiateAuth', 'AssociateSoftwareToken']);
      expect(bodyOf('AssociateSoftwareToken')).toEqual({ Session: 'setup-session' });
      expect(presented.name).toBe('MFA_SETUP');
      expect(presented.session).toBe('MFA_SETUP:associate-session');
      const parameters = Object.fromEntries(
        (presented.parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]),
      );
      expect(parameters).toMatchObject({
        MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]',
        SECRET_CODE: 'JBSWY3DPEHPK3PXP',
      });
      const uri = new URL(parameters.OTPAUTH_URI);
      expect(uri.protocol).toBe('otpauth:');
      expect(parameters.OTPAUTH_URI).toMatch(new RegExp(`^otpauth://totp/[^?]+:${username}\\?`));
      expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    });

    it('answers MFA_SETUP with VerifySoftwareToken {Session, UserCode}, then RespondToAuthChallenge with its session', async () => {
      const username = newUsername();
      answer('VerifySoftwareToken', { Status: 'SUCCESS', Session: 'verified-session' });
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS, ChallengeParameters: {} });

      const session = fake.session(username);
      const response = await respondToMfa(username, `MFA_SETUP:${session}`, '123456');

      expect(response.errors).toBeUndefined();
      expect(response.data!.respondToMfaChallenge).toEqual(OUR_TOKENS);
      expect(targets()).toEqual(['VerifySoftwareToken', 'RespondToAuthChallenge']);
      expect(bodyOf('VerifySoftwareToken')).toEqual({ Session: session, UserCode: '123456' });
      expect(bodyOf('RespondToAuthChallenge')).toEqual({
        ClientId: CLIENT,
        ChallengeName: 'MFA_SETUP',
        Session: 'verified-session',
        ChallengeResponses: { USERNAME: username, SECRET_HASH: secretHash(username) },
      });
    });

    it('answers an MFA_SETUP code that VerifySoftwareToken finds wrong (Status ERROR) with CODE_MISMATCH', async () => {
      answer('VerifySoftwareToken', { Status: 'ERROR' });
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS });
      const username = newUsername();
      const response = await respondToMfa(username, `MFA_SETUP:${fake.session(username)}`, '000000');
      expect(errorCodes(response)).toEqual(['CODE_MISMATCH']);
      expect(targets()).toEqual(['VerifySoftwareToken']);
    });

    it.each([
      ['CodeMismatchException', 'CODE_MISMATCH', 'Invalid code received for user'],
      ['EnableSoftwareTokenMFAException', 'CODE_MISMATCH', 'Code mismatch and fail enable Software Token MFA'],
      ['NotAuthorizedException', 'UNAUTHENTICATED', 'Invalid session for the user, session is expired.'],
    ])('answers MFA_SETUP when VerifySoftwareToken throws %s with %s', async (type, code, message) => {
      fake.error('VerifySoftwareToken', type, message);
      const username = newUsername();
      const response = await respondToMfa(username, `MFA_SETUP:${fake.session(username)}`, '000000');
      expect(errorCodes(response)).toEqual([code]);
      expect(targets()).toEqual(['VerifySoftwareToken']);
    });

    it.each([
      ['CodeMismatchException', 'CODE_MISMATCH', 'Invalid code received for user'],
      ['ExpiredCodeException', 'CODE_EXPIRED', 'Your software token has already been used once.'],
      ['NotAuthorizedException', 'UNAUTHENTICATED', 'Invalid session for the user, session is expired.'],
    ])('answers RespondToAuthChallenge throwing %s with %s', async (type, code, message) => {
      fake.error('RespondToAuthChallenge', type, message);
      const username = newUsername();
      const response = await respondToMfa(username, `SOFTWARE_TOKEN_MFA:${fake.session(username)}`, '000000');
      expect(errorCodes(response)).toEqual([code]);
      expect(targets()).toEqual(['RespondToAuthChallenge']);
    });

    it('answers NEW_PASSWORD_REQUIRED with an expired session (NotAuthorizedException) with UNAUTHENTICATED', async () => {
      fake.error(
        'RespondToAuthChallenge',
        'NotAuthorizedException',
        'Invalid session for the user, session is expired.',
      );
      const response = await respondToNewPassword(newUsername(), 'NEW_PASSWORD_REQUIRED:expired');
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('passes the session on as it is: a made-up one, or one issued to another user, Cognito refuses (UNAUTHENTICATED)', async () => {
      // cognito-local does not check challenge sessions (see SECURITY.md's emulator caveats); AWS does.
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS, ChallengeParameters: {} });
      const victim = newUsername();
      const attacker = newUsername();
      const responses = [
        await respondToNewPassword(victim, 'NEW_PASSWORD_REQUIRED:made-up-session'),
        await respondToNewPassword(victim, `NEW_PASSWORD_REQUIRED:${fake.session(attacker)}`),
        await respondToMfa(victim, `SOFTWARE_TOKEN_MFA:${fake.session(attacker)}`, '123456'),
      ];
      for (const response of responses) expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(targets()).toEqual(['RespondToAuthChallenge', 'RespondToAuthChallenge', 'RespondToAuthChallenge']);
    });

    it.each([
      [
        'VerifySoftwareToken',
        'InvalidParameterException',
        'VerifySoftwareToken via Session (MFA_SETUP flow) is not supported; call with AccessToken',
      ],
      [
        'VerifySoftwareToken',
        'UserLambdaValidationException',
        'PreAuthentication failed with error Blocked user quux.',
      ],
    ])("answers %s refusing with %s in words of ours, not Cognito's", async (target, type, message) => {
      fake.error(target, type, message);
      const username = newUsername();
      const response = await respondToMfa(username, `MFA_SETUP:${fake.session(username)}`, '123456');
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response.errors)).not.toContain(message);
      expect(JSON.stringify(response.errors)).not.toMatch(/VerifySoftwareToken|AccessToken|quux/);
    });

    it('refuses a session without the "NAME:" prefix with BAD_USER_INPUT, without calling Cognito', async () => {
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS });
      const mfa = await respondToMfa(newUsername(), 'raw-cognito-session', '123456');
      const newPassword = await respondToNewPassword(newUsername(), ':raw-cognito-session');
      for (const response of [mfa, newPassword]) {
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(badFields(response)).toEqual(['session']);
      }
      expect(fake.calls).toEqual([]);
    });

    it('refuses the session of another challenge with BAD_USER_INPUT, without calling Cognito', async () => {
      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS });
      const responses = [
        await respondToMfa(newUsername(), 'NEW_PASSWORD_REQUIRED:s', '123456'),
        await respondToMfa(newUsername(), 'CUSTOM_CHALLENGE:s', '123456'),
        await respondToNewPassword(newUsername(), 'SMS_MFA:s'),
      ];
      for (const response of responses) {
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(badFields(response)).toEqual(['session']);
      }
      expect(fake.calls).toEqual([]);
    });
  });
});
