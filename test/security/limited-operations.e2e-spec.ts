import {
  ChangePasswordDocument,
  RefreshTokensDocument,
  ResendConfirmationCodeDocument,
  type UpdateMeInput,
  UpdateMeDocument,
  VerifyEmailDocument,
  VerifyTotpDocument,
} from '../../examples/generated/graphql';
import { FakeCognito } from '../support/fake-cognito';
import { TokenMinter } from '../support/token-minter';
import { errorCodes, GraphQLResponse, startTestServer, TestServer } from '../support/test-server';
import { recordFigure } from './figures';

// The rate limits of each limited operation that cognito-local cannot answer (TOTP, email
// verification, resending a code) or cannot fail on demand, against a fake Cognito that counts
// the calls it receives. Removing any of these operations' @RateLimit fails a test here.

const POOL = 'local_limits';
const CLIENT = 'limits-client';
const TOO_MANY = 'TOO_MANY_REQUESTS';

const DELIVERY = { Destination: 'n***@e***.com', DeliveryMedium: 'EMAIL', AttributeName: 'email' };

describe('rate limits of each limited operation (fake Cognito)', () => {
  let fake: FakeCognito;
  let minter: TokenMinter;
  const servers: TestServer[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startTestServer({
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: CLIENT,
      COGNITO_ENDPOINT: fake.url,
      COGNITO_TIMEOUT_MS: '1000',
      ...env,
    });
    servers.push(server);
    return server;
  };
  const answer = (target: string, body: object = {}) => fake.reply(target, { status: 200, body });
  const callsTo = (target: string) => fake.calls.filter((call) => call.target === target).length;
  let serial = 0;
  /** A signed-in user of its own: the limits are per user. */
  const newToken = () => minter.accessToken(`limits-user-${++serial}`);

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT });
    const endpoint = await fake.start();
    minter = new TokenMinter(`${endpoint}/${POOL}`, CLIENT);
    fake.reply(`GET /${POOL}/.well-known/jwks.json`, { status: 200, body: minter.jwks });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await fake?.stop();
  });
  beforeEach(() => fake.reset());

  describe('per account: 2 failed guesses, 2 codes sent', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await start({ RATE_LIMIT_ACCOUNT_FAILURES_MAX: '2', RATE_LIMIT_ACCOUNT_SENDS_MAX: '2' });
    });

    it.each([
      {
        mutation: 'changePassword',
        target: 'ChangePassword',
        wrong: 'UNAUTHENTICATED',
        setUp: () => fake.error('ChangePassword', 'NotAuthorizedException', 'Incorrect username or password.'),
        call: (token: string) =>
          server.send(
            ChangePasswordDocument,
            { input: { currentPassword: 'Guess-1234!', newPassword: 'N3w-Horse!' } },
            token,
          ),
      },
      {
        mutation: 'verifyEmail',
        target: 'VerifyUserAttribute',
        wrong: 'CODE_MISMATCH',
        setUp: () => fake.error('VerifyUserAttribute', 'CodeMismatchException', 'Invalid verification code provided.'),
        call: (token: string) => server.send(VerifyEmailDocument, { input: { code: '123456' } }, token),
      },
      {
        mutation: 'verifyTotp',
        target: 'VerifySoftwareToken',
        wrong: 'CODE_MISMATCH',
        setUp: () => answer('VerifySoftwareToken', { Status: 'ERROR' }),
        call: (token: string) => server.send(VerifyTotpDocument, { input: { code: '123456' } }, token),
      },
    ])('$mutation: refuses guesses past the limit, before Cognito', async ({ target, wrong, setUp, call }) => {
      setUp();
      const token = newToken();
      const codes: string[] = [];
      for (let i = 0; i < 4; i++) codes.push(...errorCodes(await call(token)));
      expect(codes).toEqual([wrong, wrong, TOO_MANY, TOO_MANY]);
      expect(callsTo(target)).toBe(2);
      // Only that user: another one still gets its guesses.
      expect(errorCodes(await call(newToken()))).toEqual([wrong]);
    });

    it('resendConfirmationCode: refuses codes past the limit for one username', async () => {
      answer('ResendConfirmationCode', { CodeDeliveryDetails: DELIVERY });
      const resend = (username: string) => server.send(ResendConfirmationCodeDocument, { input: { username } });
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) codes.push(...errorCodes(await resend('resent')));
      expect(codes).toEqual([TOO_MANY]);
      expect(callsTo('ResendConfirmationCode')).toBe(2);
    });

    describe('updateMe', () => {
      beforeEach(() => {
        answer('UpdateUserAttributes', { CodeDeliveryDetailsList: [DELIVERY] });
        // The clients' UpdateMe reads the profile back (UserFields): one GetUser after each change
        // made. Unanswered (the fake's 404), each such change answered three INTERNAL_SERVER_ERRORs.
        answer('GetUser', { Username: 'limits-user', UserAttributes: [] });
      });
      const update = (token: string, input: UpdateMeInput) => server.send(UpdateMeDocument, { input }, token);

      it('refuses email changes past the limit for one user', async () => {
        const token = newToken();
        const codes: string[] = [];
        for (let i = 0; i < 3; i++) codes.push(...errorCodes(await update(token, { email: `new-${i}@example.com` })));
        expect(codes).toEqual([TOO_MANY]);
        expect(callsTo('UpdateUserAttributes')).toBe(2);
      });

      it('refuses email changes past the limit for one address, whoever asks, +tags included', async () => {
        const emails = ['target@example.com', 'target+a@example.com', 'Target+b@example.com'];
        const codes = [];
        for (const email of emails) codes.push(errorCodes(await update(newToken(), { email })));
        expect(codes).toEqual([[], [], [TOO_MANY]]);
      });

      it('counts each aliased updateMe field of one request', async () => {
        const aliased = `mutation { ${[0, 1, 2]
          .map((i) => `u${i}: updateMe(input: { email: "alias-${i}@example.com" }) { id }`)
          .join(' ')} }`;
        const response = await server.gql(aliased, {}, newToken());
        expect(response.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['u2'], TOO_MANY]]);
        expect(callsTo('UpdateUserAttributes')).toBe(2);
      });

      it('does not count a change of name alone, which sends no code', async () => {
        const token = newToken();
        for (let i = 0; i < 4; i++) expect(errorCodes(await update(token, { name: `Name ${i}` }))).toEqual([]);
        expect(errorCodes(await update(token, { email: 'after-names@example.com' }))).toEqual([]);
      });
    });
  });

  describe('refreshTokens: per client IP, counting failures (30 a minute)', () => {
    const refresh = (server: TestServer, refreshToken: string, username?: string) =>
      server.send(RefreshTokensDocument, { input: { refreshToken, username } });
    const count = (responses: GraphQLResponse[], code: string) =>
      responses.flatMap(errorCodes).filter((c) => c === code).length;

    it('refuses a flood of 200 garbage tokens: Cognito sees at most 30 of them', async () => {
      const server = await start({ RATE_LIMIT_IP_MAX: '30' });
      fake.error('InitiateAuth', 'NotAuthorizedException', 'Invalid Refresh Token');
      const responses: GraphQLResponse[] = [];
      // Half are not even shaped like a token (refused here); half are (Cognito refuses them).
      for (let i = 0; i < 200; i++) responses.push(await refresh(server, i % 2 ? `garbage-${i}` : `x.y.${i}`));

      recordFigure('refreshFlood', {
        tried: responses.length,
        refusedAsBadUserInput: count(responses, 'BAD_USER_INPUT'),
        refusedAsTooManyRequests: count(responses, TOO_MANY),
        reachedCognito: callsTo('InitiateAuth'),
      });
      expect(callsTo('InitiateAuth')).toBe(15); // of the 30 the limit let through, the well-shaped half
      expect(count(responses.slice(0, 30), 'BAD_USER_INPUT')).toBe(15);
      expect(count(responses.slice(0, 30), 'UNAUTHENTICATED')).toBe(15);
      expect(count(responses, TOO_MANY)).toBe(170);
    });

    it('refuses malformed tokens without asking Cognito', async () => {
      const server = await start({});
      const malformed = ['r', 'a.b', 'a.b.c.d', 'a.b.c.d.e.f', 'a..c', 'a.b.c=', 'a.b.c\n', 'x'.repeat(16385)];
      for (const token of malformed) expect(errorCodes(await refresh(server, token))).toEqual(['BAD_USER_INPUT']);
      expect(callsTo('InitiateAuth')).toBe(0);
    });

    it("gives back the count of a successful refresh: 40 in a minute are not throttled (an app's normal use)", async () => {
      const server = await start({ RATE_LIMIT_IP_MAX: '30' });
      const sub = `limits-user-${++serial}`;
      answer('InitiateAuth', {
        AuthenticationResult: {
          AccessToken: minter.accessToken(sub),
          IdToken: 'id',
          ExpiresIn: 3600,
          TokenType: 'Bearer',
        },
      });
      const responses: GraphQLResponse[] = [];
      const refreshToken = fake.refreshToken(sub);
      for (let i = 0; i < 40; i++) responses.push(await refresh(server, refreshToken, sub));
      expect(responses.flatMap(errorCodes)).toEqual([]);
    });
  });
});
