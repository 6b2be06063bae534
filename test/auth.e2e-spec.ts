import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getUser as getUserOperation } from '../src/cognito/operations/account';
import { Emulator } from '../src/local-cognito/emulator';
import { LOCAL_POOL_NAME } from '../src/local-cognito/provision';
import { freePort } from './support/free-port';
import { AUTHENTICATE, CONFIRM, ME, PASSWORD, REFRESH, REGISTER, signUpAndIn } from './support/flows';
import { errorCodes, postGraphQL, startTestServer, TestServer } from './support/test-server';

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('register, confirm, authenticate, refresh and me (embedded emulator)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('register', () => {
    it('creates an unconfirmed account and says where the code went', async () => {
      const response = await server.gql(REGISTER, {
        input: { username: 'reg-alice', email: 'reg-alice@example.com', password: PASSWORD, name: 'Alice' },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data.register).toEqual({
        username: 'reg-alice',
        userSub: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userConfirmed: false,
        codeDelivery: { destination: expect.any(String), medium: 'EMAIL', attributeName: 'email' },
      });
      expect(await server.logger.codeFor('reg-alice')).toMatch(/^\d{6}$/);
    });

    it('refuses a username that is taken with USERNAME_EXISTS', async () => {
      const input = { username: 'reg-taken', email: 'reg-taken@example.com', password: PASSWORD };
      await server.gql(REGISTER, { input });
      const response = await server.gql(REGISTER, { input });
      expect(errorCodes(response)).toEqual(['USERNAME_EXISTS']);
    });

    it('lists every invalid field with BAD_USER_INPUT, before calling Cognito', async () => {
      const response = await server.gql(REGISTER, {
        input: { username: 'has space', email: 'not-an-email', password: PASSWORD },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      const fields = (response.errors![0].extensions.fields as { field: string }[]).map((f) => f.field);
      expect(fields.sort()).toEqual(['email', 'username']);
    });

    it('reports the password policy in the same answer as the other fields, not in a second round', async () => {
      const response = await server.gql(REGISTER, {
        input: { username: 'reg-one-round', email: 'not-an-email', password: 'weak' },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions.fields).toEqual([
        { field: 'email', problems: ['email must be a valid email address'] },
        {
          field: 'password',
          problems: [
            'must be at least 8 characters long',
            'must contain an uppercase letter',
            'must contain a digit',
            'must contain a symbol such as ! @ # $ % ^ & *',
          ],
        },
      ]);
      expect(JSON.stringify(response)).not.toContain('"weak"');
    });

    it('reports a control character in one field together with the problems of the others', async () => {
      const response = await server.gql(REGISTER, {
        input: { username: 'reg-control', email: 'a@example.com', password: 'weak', name: 'Al\nice' },
      });
      const fields = response.errors![0].extensions.fields as { field: string; problems: string[] }[];
      expect(fields.map((f) => f.field)).toEqual(['name', 'password']);
      expect(fields[0].problems).toEqual(['name must not contain control characters']);
    });

    it.each([
      ['too short', 'Sh0rt!', 'at least 8 characters'],
      ['no uppercase', 'lowercase-only-1', 'uppercase'],
      ['no lowercase', 'UPPERCASE-ONLY-1', 'lowercase'],
      ['no digit', 'No-Digits-Here', 'digit'],
      ['no symbol', 'NoSymbols123', 'symbol'],
    ])(
      'refuses a weak password (%s) with BAD_USER_INPUT, though the emulator would take it',
      async (_why, password, problem) => {
        const response = await server.gql(REGISTER, {
          input: { username: `weak-${password.length}-${problem.length}`, email: 'weak@example.com', password },
        });
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0].message).toContain(problem);
        expect(response.errors![0].extensions.fields).toEqual([{ field: 'password', problems: expect.any(Array) }]);
      },
    );

    it('answers a missing required field with a GraphQL input error that does not echo the password', async () => {
      const response = await server.gql(REGISTER, { input: { username: 'x', password: PASSWORD } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(
        'Variable "$input" got an invalid value; Field "email" of required type "String!" was not provided.',
      );
    });

    it('names the place of a wrongly typed input field, without its value', async () => {
      const response = await server.gql(AUTHENTICATE, { input: { username: 'x', password: 12345678 } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(
        'Variable "$input" got an invalid value at "input.password"; String cannot represent a non string value.',
      );
    });
  });

  describe('confirmRegistration', () => {
    it('refuses a wrong code with CODE_MISMATCH, then confirms with the code from the log', async () => {
      const logged = server.logger.lines.length;
      await server.gql(REGISTER, { input: { username: 'conf-bob', email: 'bob@example.com', password: PASSWORD } });
      const code = await server.logger.codeFor('conf-bob', logged);
      const wrong = code === '000000' ? '111111' : '000000';

      expect(errorCodes(await server.gql(CONFIRM, { input: { username: 'conf-bob', code: wrong } }))).toEqual([
        'CODE_MISMATCH',
      ]);
      const confirmed = await server.gql(CONFIRM, { input: { username: 'conf-bob', code } });
      expect(confirmed).toMatchObject({ data: { confirmRegistration: true } });
    });

    it('refuses a second confirmation exactly as an unknown user: CODE_MISMATCH, no account enumeration', async () => {
      const logged = server.logger.lines.length;
      await server.gql(REGISTER, { input: { username: 'conf-twice', email: 'twice@example.com', password: PASSWORD } });
      const code = await server.logger.codeFor('conf-twice', logged);
      await server.gql(CONFIRM, { input: { username: 'conf-twice', code } });
      // cognito-local answers ExpiredCodeException for a confirmed user, NotAuthorized for an unknown one.
      const again = await server.gql(CONFIRM, { input: { username: 'conf-twice', code } });
      const unknown = await server.gql(CONFIRM, { input: { username: 'conf-nobody-2', code } });
      expect(errorCodes(again)).toEqual(['CODE_MISMATCH']);
      expect(again).toEqual(unknown);
    });

    it('gives an unknown user the same CODE_MISMATCH as a wrong code', async () => {
      const response = await server.gql(CONFIRM, { input: { username: 'conf-nobody', code: '123456' } });
      expect(errorCodes(response)).toEqual(['CODE_MISMATCH']);
    });

    it('refuses a code with spaces with BAD_USER_INPUT', async () => {
      const response = await server.gql(CONFIRM, { input: { username: 'conf-bob', code: '12 34' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('authenticate', () => {
    it('refuses an unconfirmed account with USER_NOT_CONFIRMED', async () => {
      await server.gql(REGISTER, { input: { username: 'auth-new', email: 'new@example.com', password: PASSWORD } });
      const response = await server.gql(AUTHENTICATE, { input: { username: 'auth-new', password: PASSWORD } });
      expect(errorCodes(response)).toEqual(['USER_NOT_CONFIRMED']);
    });

    it('gives a wrong password and an unknown user the same UNAUTHENTICATED answer', async () => {
      await signUpAndIn(server, 'auth-carol');
      const wrongPassword = await server.gql(AUTHENTICATE, {
        input: { username: 'auth-carol', password: 'Wr0ng-pass!' },
      });
      const unknownUser = await server.gql(AUTHENTICATE, { input: { username: 'auth-nobody', password: PASSWORD } });
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
      const signedIn = await server.gql(AUTHENTICATE, { input: { username: 'auth-expiry', password: PASSWORD } });
      const { accessToken, expiresIn } = signedIn.data.authenticate;
      const { iat, exp } = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
      expect(exp - iat).toBe(24 * 3600);
      expect(expiresIn).toBe(exp - iat);
    });
  });

  describe('usernames', () => {
    it('are one user whatever their case, known by the name they signed up with', async () => {
      const { userSub } = await signUpAndIn(server, 'Case-Alice');
      const again = await server.gql(REGISTER, {
        input: { username: 'case-alice', email: 'other@example.com', password: PASSWORD },
      });
      expect(errorCodes(again)).toEqual(['USERNAME_EXISTS']);

      const signedIn = await server.gql(AUTHENTICATE, { input: { username: 'CASE-ALICE', password: PASSWORD } });
      const { accessToken } = signedIn.data.authenticate;
      const me = await server.gql('{ me { id username } }', {}, accessToken);
      expect(me.data).toEqual({ me: { id: userSub, username: 'Case-Alice' } });
    });

    it('confirm in any case too', async () => {
      const logged = server.logger.lines.length;
      await server.gql(REGISTER, { input: { username: 'Case-Bob', email: 'bob@example.com', password: PASSWORD } });
      const code = await server.logger.codeFor('Case-Bob', logged);
      expect(await server.gql(CONFIRM, { input: { username: 'case-bob', code } })).toMatchObject({
        data: { confirmRegistration: true },
      });
    });
  });

  describe('me', () => {
    it('answers from the token and the user pool', async () => {
      const user = await signUpAndIn(server, 'me-erin', 'Erin Example');
      const response = await server.gql(ME, {}, user.accessToken);
      expect(response.errors).toBeUndefined();
      expect(response.data.me).toEqual({
        id: user.userSub,
        username: 'me-erin',
        email: 'me-erin@example.com',
        // The code went to the address (AutoVerifiedAttributes): confirming it verifies it, as on AWS.
        emailVerified: true,
        name: 'Erin Example',
        groups: [],
      });
    });

    it('calls Cognito only for profile fields, and at most once per request', async () => {
      const user = await signUpAndIn(server, 'me-frank');
      // Each call to Cognito's GetUser builds its request once.
      const getUser = jest.spyOn(getUserOperation, 'request');
      try {
        await server.gql('{ me { id username groups } }', {}, user.accessToken);
        expect(getUser).not.toHaveBeenCalled();
        const response = await server.gql(
          '{ me { email name emailVerified } again: me { email } }',
          {},
          user.accessToken,
        );
        expect(response.data.me.email).toBe('me-frank@example.com');
        expect(response.data.again.email).toBe('me-frank@example.com');
        expect(getUser).toHaveBeenCalledTimes(1);
      } finally {
        getUser.mockRestore();
      }
    });

    it.each([
      ['no Authorization header', {}],
      ['a malformed token', { authorization: 'Bearer not-a-jwt' }],
      ['a token with a broken signature', { authorization: 'Bearer TAMPERED' }],
      ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('refuses %s with UNAUTHENTICATED', async (_why, headers: Record<string, string>) => {
      let auth = headers.authorization;
      if (auth === 'Bearer TAMPERED') {
        const { accessToken } = await signUpAndIn(server, 'me-tamper');
        auth = `Bearer ${accessToken.slice(0, -4)}AAAA`;
      }
      const response = await postGraphQL(server.url, { query: ME }, undefined, auth ? { authorization: auth } : {});
      expect(response.status).toBe(200);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(JSON.stringify(response)).not.toMatch(/stack|at \w+ \(/);
    });

    it('refuses an ID token where an access token is required', async () => {
      const { idToken } = await signUpAndIn(server, 'me-idtoken');
      expect(errorCodes(await server.gql(ME, {}, idToken))).toEqual(['UNAUTHENTICATED']);
    });

    it('takes the Bearer scheme in any case', async () => {
      const { accessToken } = await signUpAndIn(server, 'me-case');
      const response = await postGraphQL(server.url, { query: '{ me { username } }' }, undefined, {
        authorization: `bEaReR ${accessToken}`,
      });
      expect(response.data).toEqual({ me: { username: 'me-case' } });
    });
  });

  describe('refreshTokens', () => {
    it('trades a refresh token for new tokens that work with me', async () => {
      const user = await signUpAndIn(server, 'ref-gina');
      const response = await server.gql(REFRESH, { input: { refreshToken: user.refreshToken } });
      expect(response.errors).toBeUndefined();
      const tokens = response.data.refreshTokens;
      expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 24 * 3600 });
      const me = await server.gql('{ me { username } }', {}, tokens.accessToken);
      expect(me.data).toEqual({ me: { username: 'ref-gina' } });
    });

    it('refuses a refresh token that Cognito does not know with UNAUTHENTICATED', async () => {
      const response = await server.gql(REFRESH, { input: { refreshToken: 'not.a.token' } });
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses what is not shaped like a refresh token with BAD_USER_INPUT', async () => {
      const response = await server.gql(REFRESH, { input: { refreshToken: 'garbage' } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('GraphQL errors', () => {
    it('answers a syntax error with GRAPHQL_PARSE_FAILED and an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
      expect(errorCodes(await server.gql('{ me { id '))).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(errorCodes(await server.gql('{ me { nope } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    });

    it('does not echo an unknown extra input field value beyond its name', async () => {
      const response = await server.gql(AUTHENTICATE, { input: { username: 'x', password: PASSWORD, extra: 1 } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(response)).not.toContain(PASSWORD);
    });
  });
});

describe('an embedded pool created by an earlier version (case-sensitive usernames)', () => {
  let dataDir: string;
  let server: TestServer;

  beforeAll(async () => {
    // What earlier versions created: the same pool and client, without UsernameConfiguration.
    dataDir = mkdtempSync(join(tmpdir(), 'cognito-local-earlier-'));
    const emulator = await Emulator.start({ port: await freePort(), dataDir, onCode: () => {}, onError: () => {} });
    const admin = new CognitoIdentityProviderClient({
      endpoint: emulator.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { UserPool } = await admin.send(
      new CreateUserPoolCommand({ PoolName: LOCAL_POOL_NAME, AutoVerifiedAttributes: ['email'] }),
    );
    await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: UserPool!.Id!,
        ClientName: LOCAL_POOL_NAME,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    admin.destroy();
    await emulator.stop();
    server = await startTestServer({ COGNITO_LOCAL_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps it as it is (its users keep their names), and says how to start afresh', async () => {
    expect(server.logger.lines.join('\n')).toContain('created by an earlier version, with case-sensitive usernames');
    await signUpAndIn(server, 'Old-Alice');
    await signUpAndIn(server, 'old-alice');
    expect(
      errorCodes(await server.gql(AUTHENTICATE, { input: { username: 'OLD-ALICE', password: PASSWORD } })),
    ).toEqual(['UNAUTHENTICATED']);
  });
});
