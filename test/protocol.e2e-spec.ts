import { createHmac } from 'node:crypto';
import { AUTHENTICATE, PASSWORD, REFRESH } from './support/flows';
import { FakeCognito } from './support/fake-cognito';
import { FakePool, startOnFakePool } from './support/fake-pool';
import { TokenMinter } from './support/token-minter';
import { errorCodes, GraphQLResponse, TestServer } from './support/test-server';

// PROTOCOL TESTS. cognito-local 5.3.0 has no ResendConfirmationCode, GlobalSignOut, TOTP
// (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference) and only partial challenge
// support, so these operations are tested against a fake Cognito HTTP API (test/support/fake-cognito.ts).
// Our real server is driven through GraphQL over HTTP; the fake records the exact request it was sent
// (the X-Amz-Target operation and the JSON body, SECRET_HASH included) and answers with Cognito's
// documented response or error, so that the success path and every error path of our code run.

const POOL = 'local_proto';
const CLIENT = 'proto-client';
const SECRET = 'proto-secret';

/** Cognito's SECRET_HASH, computed independently of src/. */
const secretHash = (username: string) =>
  createHmac('sha256', SECRET)
    .update(username + CLIENT)
    .digest('base64');

const RESEND = `mutation Resend($input: UsernameInput!) {
  resendConfirmationCode(input: $input) { destination medium attributeName }
}`;
const FORGOT = `mutation Forgot($input: UsernameInput!) {
  forgotPassword(input: $input) { destination medium attributeName }
}`;
const CONFIRM_FORGOT = `mutation ConfirmForgot($input: ConfirmForgotPasswordInput!) { confirmForgotPassword(input: $input) }`;
const SIGN_OUT = `mutation SignOut($refreshToken: String) { signOut(refreshToken: $refreshToken) }`;
/** Only what the token itself says: answering it makes no call to Cognito. */
const ME_FROM_TOKEN = `query { me { id username groups } }`;
const AUTH_RESULT = `__typename
  ... on AuthTokens { accessToken idToken refreshToken expiresIn tokenType }
  ... on AuthChallenge { name session parameters { name value } }`;
const RESPOND_MFA = `mutation RespondMfa($input: MfaChallengeInput!) { respondToMfaChallenge(input: $input) { ${AUTH_RESULT} } }`;
const RESPOND_NEW_PASSWORD = `mutation RespondNewPassword($input: NewPasswordChallengeInput!) {
  respondToNewPasswordChallenge(input: $input) { ${AUTH_RESULT} }
}`;
const SETUP_TOTP = `mutation { setupTotp { secretCode otpauthUri } }`;
const VERIFY_TOTP = `mutation VerifyTotp($input: VerifyTotpInput!) { verifyTotp(input: $input) }`;

const NEW_PASSWORD = 'N3w-Horse-Battery!';
const WEAK_PASSWORD = 'weakpass';
/** What Cognito answers once a sign-in is complete. */
const COGNITO_TOKENS = {
  AccessToken: 'cognito-access-token',
  IdToken: 'cognito-id-token',
  RefreshToken: 'cognito-refresh-token',
  ExpiresIn: 3600,
  TokenType: 'Bearer',
};
const OUR_TOKENS = {
  __typename: 'AuthTokens',
  accessToken: 'cognito-access-token',
  idToken: 'cognito-id-token',
  refreshToken: 'cognito-refresh-token',
  expiresIn: 3600,
  tokenType: 'Bearer',
};

describe('protocol tests against a fake Cognito (operations cognito-local cannot do)', () => {
  let fake: FakeCognito;
  let server: TestServer;
  let minter: TokenMinter;

  // --- small helpers -------------------------------------------------------------------------
  /** Cognito answers `target` with HTTP 200 and `body`. */
  const answer = (target: string, body: object = {}) => fake.reply(target, { status: 200, body });
  const targets = () => fake.calls.map((call) => call.target);
  const bodyOf = (target: string) => fake.calls.find((call) => call.target === target)?.body;

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  let serial = 0;
  /** A username no other test uses. */
  const newUsername = () => `proto-user-${++serial}`;
  /** A signed-in user of its own (sign-outs are per user): a valid access token of our pool. */
  const signedIn = (claims: Record<string, unknown> = {}) => {
    const sub = `proto-sub-${++serial}`;
    return { sub, token: minter.accessToken(sub, claims) };
  };
  const challenge = (ChallengeName: string, Session: string, ChallengeParameters: Record<string, string> = {}) => ({
    ChallengeName,
    Session,
    ChallengeParameters,
  });
  const authenticate = (username: string) => server.gql(AUTHENTICATE, { input: { username, password: PASSWORD } });
  const respondToMfa = (username: string, session: string, code: string) =>
    server.gql(RESPOND_MFA, { input: { username, session, code } });
  const respondToNewPassword = (username: string, session: string, newPassword = NEW_PASSWORD) =>
    server.gql(RESPOND_NEW_PASSWORD, { input: { username, session, newPassword } });
  /** The fields named in a BAD_USER_INPUT error. */
  const badFields = (response: GraphQLResponse) =>
    (response.errors?.[0]?.extensions.fields as { field: string }[] | undefined)?.map((f) => f.field);

  let pool: FakePool | undefined;
  beforeAll(async () => {
    pool = await startOnFakePool({
      pool: POOL,
      clientId: CLIENT,
      clientSecret: SECRET,
      env: { COGNITO_TIMEOUT_MS: '1000' },
    });
    ({ fake, minter, server } = pool);
  });
  afterAll(() => pool?.close());
  beforeEach(() => fake.reset());

  /**
   * resendConfirmationCode and forgotPassword behave alike: the delivery without its address, and
   * the same answer whether or not the user exists (or can get a code).
   */
  describe.each([
    { mutation: 'resendConfirmationCode', document: RESEND, target: 'ResendConfirmationCode' },
    { mutation: 'forgotPassword', document: FORGOT, target: 'ForgotPassword' },
  ])('protocol: $mutation ($target)', ({ mutation, document, target }) => {
    const send = (username: string) => server.gql(document, { input: { username } });
    const delivered = (Destination: string, DeliveryMedium: string, AttributeName: string) =>
      answer(target, { CodeDeliveryDetails: { Destination, DeliveryMedium, AttributeName } });

    it(`sends {ClientId, SecretHash, Username} and answers the delivery without its destination`, async () => {
      const username = newUsername();
      delivered('+*******1234', 'SMS', 'phone_number');

      const response = await send(username);

      expect(response.errors).toBeUndefined();
      expect(response.data[mutation]).toEqual({ destination: null, medium: 'SMS', attributeName: 'phone_number' });
      expect(targets()).toEqual([target]);
      expect(fake.calls[0].body).toEqual({ ClientId: CLIENT, SecretHash: secretHash(username), Username: username });
    });

    it.each([
      ['UserNotFoundException', 'Username/client id combination not found.'],
      ['InvalidParameterException', 'User is already confirmed.'],
      ['NotAuthorizedException', 'User is disabled.'],
    ])('answers %s ("%s") exactly as it answers a real user: no account enumeration', async (type, message) => {
      delivered('r***@e***.com', 'EMAIL', 'email');
      const real = await send(newUsername());
      fake.error(target, type, message);
      const hidden = await send(newUsername());

      expect(real.errors).toBeUndefined();
      expect(hidden).toEqual(real);
      expect(targets()).toEqual([target, target]);
    });

    it('answers LimitExceededException with TOO_MANY_REQUESTS', async () => {
      fake.error(target, 'LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      expect(errorCodes(await send(newUsername()))).toEqual(['TOO_MANY_REQUESTS']);
    });

    it('answers a Cognito server fault (HTTP 500) with SERVICE_UNAVAILABLE', async () => {
      fake.error(target, 'InternalErrorException', 'Internal error', 500);
      expect(errorCodes(await send(newUsername()))).toEqual(['SERVICE_UNAVAILABLE']);
    });

    it('reports a wrong client secret (NotAuthorizedException about the secret hash) as INTERNAL_SERVER_ERROR', async () => {
      fake.error(target, 'NotAuthorizedException', `Unable to verify secret hash for client ${CLIENT}`);
      expect(errorCodes(await send(newUsername()))).toEqual(['INTERNAL_SERVER_ERROR']);
    });
  });

  describe('protocol: confirmForgotPassword (ConfirmForgotPassword)', () => {
    const confirm = (username: string, newPassword = NEW_PASSWORD) =>
      server.gql(CONFIRM_FORGOT, { input: { username, code: '123456', newPassword } });

    it('sends {ClientId, SecretHash, Username, ConfirmationCode, Password}, then signs in once with the new password to end every session', async () => {
      const typed = newUsername();
      answer('ConfirmForgotPassword');
      // Cognito's name for the user may differ from the one typed (an email alias, another case).
      const canonical = `${typed}-canonical`;
      const old = minter.accessToken(`sub-of-${canonical}`, { username: canonical, auth_time: nowSeconds() - 60 });
      const throwAway = minter.accessToken(`sub-of-${canonical}`, { username: canonical });
      answer('InitiateAuth', { AuthenticationResult: { ...COGNITO_TOKENS, AccessToken: throwAway } });
      answer('RevokeToken');
      expect((await server.gql(ME_FROM_TOKEN, {}, old)).errors).toBeUndefined();

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
        expect(errorCodes(await server.gql(ME_FROM_TOKEN, {}, token))).toEqual(['UNAUTHENTICATED']);
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
      expect(errorCodes(await server.gql(ME_FROM_TOKEN, {}, old))).toEqual(['UNAUTHENTICATED']);
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
      expect(errorCodes(await server.gql(ME_FROM_TOKEN, {}, old))).toEqual(['UNAUTHENTICATED']);
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

  describe('protocol: signOut (GlobalSignOut, RevokeToken)', () => {
    it('sends GlobalSignOut {AccessToken}; from then on the same token is refused', async () => {
      const { sub, token } = signedIn();
      answer('GlobalSignOut');

      const before = await server.gql(ME_FROM_TOKEN, {}, token);
      expect(before.data).toEqual({ me: { id: sub, username: sub, groups: [] } });
      expect(fake.calls).toEqual([]); // `me` from the token alone makes no Cognito call

      const signOut = await server.gql(SIGN_OUT, {}, token);
      expect(signOut.errors).toBeUndefined();
      expect(signOut.data).toEqual({ signOut: true });
      expect(targets()).toEqual(['GlobalSignOut']);
      expect(fake.calls[0].body).toEqual({ AccessToken: token });

      expect(errorCodes(await server.gql(ME_FROM_TOKEN, {}, token))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.gql(SIGN_OUT, {}, token))).toEqual(['UNAUTHENTICATED']);
      expect(targets()).toEqual(['GlobalSignOut']);
    });

    it('with refreshToken also sends RevokeToken {Token, ClientId, ClientSecret}', async () => {
      const { token } = signedIn();
      answer('GlobalSignOut');
      answer('RevokeToken');

      const response = await server.gql(SIGN_OUT, { refreshToken: 'the-refresh-token' }, token);

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ signOut: true });
      expect(targets()).toEqual(['GlobalSignOut', 'RevokeToken']);
      expect(bodyOf('GlobalSignOut')).toEqual({ AccessToken: token });
      expect(bodyOf('RevokeToken')).toEqual({ Token: 'the-refresh-token', ClientId: CLIENT, ClientSecret: SECRET });
    });

    it('refuses to refresh a signed-out session: refreshed AWS tokens keep the sign-in time (auth_time)', async () => {
      const signedInAt = Math.floor(Date.now() / 1000) - 60;
      const { sub, token } = signedIn({ auth_time: signedInAt });
      const refreshToken = fake.refreshToken(sub);
      // Cognito refreshes the session (AWS keeps auth_time), before the sign-out and after it, as
      // it would if the sign-out had not reached it: only our record can refuse.
      const refresh = async () => {
        const refreshed = minter.accessToken(sub, { auth_time: signedInAt });
        answer('InitiateAuth', { AuthenticationResult: { ...COGNITO_TOKENS, AccessToken: refreshed } });
        return { refreshed, response: await server.gql(REFRESH, { input: { refreshToken, username: sub } }) };
      };

      const before = await refresh();
      expect(before.response.errors).toBeUndefined();
      expect(before.response.data.refreshTokens.accessToken).toBe(before.refreshed);

      answer('GlobalSignOut');
      expect((await server.gql(SIGN_OUT, {}, token)).data).toEqual({ signOut: true });

      const after = await refresh();
      expect(errorCodes(after.response)).toEqual(['UNAUTHENTICATED']);
      expect(after.response.errors![0].message).toMatch(/signed out/);
      expect(targets()).toEqual(['InitiateAuth', 'GlobalSignOut', 'InitiateAuth']);
      expect(bodyOf('InitiateAuth')).toEqual({
        ClientId: CLIENT,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken, SECRET_HASH: secretHash(sub) },
      });
    });

    it("does not end another user's sessions", async () => {
      const leaving = signedIn();
      const staying = signedIn();
      answer('GlobalSignOut');

      expect((await server.gql(SIGN_OUT, {}, leaving.token)).data).toEqual({ signOut: true });

      const other = await server.gql(ME_FROM_TOKEN, {}, staying.token);
      expect(other.errors).toBeUndefined();
      expect(other.data.me.id).toBe(staying.sub);
    });

    it('answers GlobalSignOut refusing the token (NotAuthorizedException) with UNAUTHENTICATED', async () => {
      const { token } = signedIn();
      fake.error('GlobalSignOut', 'NotAuthorizedException', 'Access Token has been revoked');

      expect(errorCodes(await server.gql(SIGN_OUT, {}, token))).toEqual(['UNAUTHENTICATED']);
      expect(targets()).toEqual(['GlobalSignOut']);
    });

    it('answers a Cognito server fault with SERVICE_UNAVAILABLE, but the sign-out recorded here still holds', async () => {
      const { token } = signedIn();
      fake.error('GlobalSignOut', 'InternalErrorException', 'Internal error', 500);

      expect(errorCodes(await server.gql(SIGN_OUT, { refreshToken: 'r' }, token))).toEqual(['SERVICE_UNAVAILABLE']);
      expect(targets()).toEqual(['GlobalSignOut']);
      expect(errorCodes(await server.gql(ME_FROM_TOKEN, {}, token))).toEqual(['UNAUTHENTICATED']);
    });

    it('with refreshToken still answers true when the app client cannot revoke tokens (UnsupportedOperationException)', async () => {
      const { token } = signedIn();
      answer('GlobalSignOut');
      fake.error('RevokeToken', 'UnsupportedOperationException', 'Token revocation is not enabled for this client.');

      const response = await server.gql(SIGN_OUT, { refreshToken: 'the-refresh-token' }, token);

      expect(targets()).toEqual(['GlobalSignOut', 'RevokeToken']);
      expect(errorCodes(response)).toEqual([]);
      expect(response.data).toEqual({ signOut: true });
    });

    it('refuses a caller without an access token with UNAUTHENTICATED, without calling Cognito', async () => {
      answer('GlobalSignOut');
      expect(errorCodes(await server.gql(SIGN_OUT))).toEqual(['UNAUTHENTICATED']);
      expect(fake.calls).toEqual([]);
    });
  });

  describe('protocol: sign-in challenges (InitiateAuth, RespondToAuthChallenge)', () => {
    /** authenticate, with InitiateAuth answering `reply`; returns the challenge our server presents. */
    const challenged = async (username: string, reply: object) => {
      answer('InitiateAuth', reply);
      const response = await authenticate(username);
      expect(response.errors).toBeUndefined();
      expect(response.data.authenticate.__typename).toBe('AuthChallenge');
      return response.data.authenticate as { name: string; session: string; parameters: object[] };
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
      expect(response.data.respondToMfaChallenge).toEqual(OUR_TOKENS);
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
      expect(second.data.respondToMfaChallenge).toEqual({
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
      expect(response.data.respondToNewPasswordChallenge).toEqual(OUR_TOKENS);
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
      expect(next.data.respondToNewPasswordChallenge).toEqual({
        __typename: 'AuthChallenge',
        name: 'SMS_MFA',
        session: 'SMS_MFA:sms-session',
        parameters: [{ name: 'CODE_DELIVERY_DELIVERY_MEDIUM', value: 'SMS' }],
      });

      answer('RespondToAuthChallenge', { AuthenticationResult: COGNITO_TOKENS, ChallengeParameters: {} });
      const done = await respondToMfa(username, next.data.respondToNewPasswordChallenge.session, '654321');

      expect(done.data.respondToMfaChallenge).toEqual(OUR_TOKENS);
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
      expect(response.data.respondToMfaChallenge).toEqual(OUR_TOKENS);
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

  describe('protocol: setupTotp and verifyTotp (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference)', () => {
    const verify = (token: string, deviceName?: string) =>
      server.gql(VERIFY_TOTP, { input: { code: '123456', deviceName } }, token);

    it('setupTotp sends AssociateSoftwareToken {AccessToken} and answers the secret and its otpauth:// URI', async () => {
      const { token } = signedIn({ username: 'alice' });
      answer('AssociateSoftwareToken', { SecretCode: 'JBSWY3DPEHPK3PXP' });

      const response = await server.gql(SETUP_TOTP, {}, token);

      expect(response.errors).toBeUndefined();
      expect(targets()).toEqual(['AssociateSoftwareToken']);
      expect(fake.calls[0].body).toEqual({ AccessToken: token });
      const { secretCode, otpauthUri } = response.data.setupTotp;
      expect(secretCode).toBe('JBSWY3DPEHPK3PXP');
      expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/[^?]+:alice\?/);
      const query = new URL(otpauthUri).searchParams;
      expect(query.get('secret')).toBe('JBSWY3DPEHPK3PXP');
      expect(query.get('issuer')).toBeTruthy();
    });

    it('answers setupTotp with a token Cognito refuses (NotAuthorizedException) with UNAUTHENTICATED', async () => {
      const { token } = signedIn();
      fake.error('AssociateSoftwareToken', 'NotAuthorizedException', 'Access Token has been revoked');
      expect(errorCodes(await server.gql(SETUP_TOTP, {}, token))).toEqual(['UNAUTHENTICATED']);
    });

    it('verifyTotp sends VerifySoftwareToken {AccessToken, UserCode, FriendlyDeviceName}, then makes TOTP the preferred MFA', async () => {
      const { token } = signedIn();
      answer('VerifySoftwareToken', { Status: 'SUCCESS' });
      answer('SetUserMFAPreference');

      const response = await verify(token, 'My phone');

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ verifyTotp: true });
      expect(targets()).toEqual(['VerifySoftwareToken', 'SetUserMFAPreference']);
      expect(fake.calls[0].body).toEqual({ AccessToken: token, UserCode: '123456', FriendlyDeviceName: 'My phone' });
      expect(fake.calls[1].body).toEqual({
        AccessToken: token,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      });
    });

    it('answers VerifySoftwareToken Status ERROR with CODE_MISMATCH, and does not turn TOTP on', async () => {
      const { token } = signedIn();
      answer('VerifySoftwareToken', { Status: 'ERROR' });
      answer('SetUserMFAPreference');

      expect(errorCodes(await verify(token))).toEqual(['CODE_MISMATCH']);
      expect(targets()).toEqual(['VerifySoftwareToken']);
    });

    it.each([
      ['EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA'],
      ['CodeMismatchException', 'Invalid code received for user'],
    ])(
      'answers VerifySoftwareToken throwing %s with CODE_MISMATCH, and does not turn TOTP on',
      async (type, message) => {
        const { token } = signedIn();
        fake.error('VerifySoftwareToken', type, message);
        answer('SetUserMFAPreference');

        expect(errorCodes(await verify(token))).toEqual(['CODE_MISMATCH']);
        expect(targets()).toEqual(['VerifySoftwareToken']);
      },
    );

    it('refuses setupTotp and verifyTotp without an access token, without calling Cognito', async () => {
      answer('AssociateSoftwareToken', { SecretCode: 'JBSWY3DPEHPK3PXP' });
      expect(errorCodes(await server.gql(SETUP_TOTP))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await server.gql(VERIFY_TOTP, { input: { code: '123456' } }))).toEqual(['UNAUTHENTICATED']);
      expect(fake.calls).toEqual([]);
    });
  });
});
