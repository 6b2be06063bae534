import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { print } from 'graphql';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthenticateDocument,
  ConfirmRegistrationDocument,
  RegisterDocument,
  ResendConfirmationCodeDocument,
  WhoAmIDocument,
} from '../../examples/generated/graphql';
import { Emulator } from '../../src/local-cognito/emulator';
import { LOCAL_POOL_NAME } from '../../src/local-cognito/provision';
import { PASSWORD, signUpAndIn, tokensOf } from '../support/flows';
import { freePort } from '../support/free-port';
import { onFakePool } from '../support/protocol';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';
import { describeCodeDelivery } from './code-delivery-cases';

// Sign-up: register, confirmRegistration and resendConfirmationCode, and what a username is.

// The real server with its embedded emulator (cognito-local over HTTP), driven through GraphQL.
describe('sign-up (embedded emulator)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('register', () => {
    it('creates an unconfirmed account and says where the code went', async () => {
      const response = await server.send(RegisterDocument, {
        input: { username: 'reg-alice', email: 'reg-alice@example.com', password: PASSWORD, name: 'Alice' },
      });
      expect(response.errors).toBeUndefined();
      expect(response.data!.register).toEqual({
        username: 'reg-alice',
        userSub: expect.stringMatching(/^[0-9a-f-]{36}$/),
        userConfirmed: false,
        codeDelivery: { destination: expect.any(String), medium: 'EMAIL', attributeName: 'email' },
      });
      expect(await server.logger.codeFor('reg-alice')).toMatch(/^\d{6}$/);
    });

    it('refuses a username that is taken with USERNAME_EXISTS', async () => {
      const input = { username: 'reg-taken', email: 'reg-taken@example.com', password: PASSWORD };
      await server.send(RegisterDocument, { input });
      const response = await server.send(RegisterDocument, { input });
      expect(errorCodes(response)).toEqual(['USERNAME_EXISTS']);
    });

    it('lists every invalid field with BAD_USER_INPUT, before calling Cognito', async () => {
      const response = await server.send(RegisterDocument, {
        input: { username: 'has space', email: 'not-an-email', password: PASSWORD },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      const fields = (response.errors![0].extensions.fields as { field: string }[]).map((f) => f.field);
      expect(fields.sort()).toEqual(['email', 'username']);
    });

    it('reports the password policy in the same answer as the other fields, not in a second round', async () => {
      const response = await server.send(RegisterDocument, {
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
      const response = await server.send(RegisterDocument, {
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
        const response = await server.send(RegisterDocument, {
          input: { username: `weak-${password.length}-${problem.length}`, email: 'weak@example.com', password },
        });
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0].message).toContain(problem);
        expect(response.errors![0].extensions.fields).toEqual([{ field: 'password', problems: expect.any(Array) }]);
      },
    );

    // These two send variables that do not fit the operation: its text, untyped.
    it('answers a missing required field with a GraphQL input error that does not echo the password', async () => {
      const response = await server.gql(print(RegisterDocument), { input: { username: 'x', password: PASSWORD } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(
        'Variable "$input" got an invalid value; Field "email" of required type "String!" was not provided.',
      );
    });

    it('names the place of a wrongly typed input field, without its value', async () => {
      const response = await server.gql(print(AuthenticateDocument), { input: { username: 'x', password: 12345678 } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe(
        'Variable "$input" got an invalid value at "input.password"; String cannot represent a non string value.',
      );
    });
  });

  describe('confirmRegistration', () => {
    it('refuses a wrong code with CODE_MISMATCH, then confirms with the code from the log', async () => {
      const logged = server.logger.lines.length;
      await server.send(RegisterDocument, {
        input: { username: 'conf-bob', email: 'bob@example.com', password: PASSWORD },
      });
      const code = await server.logger.codeFor('conf-bob', logged);
      const wrong = code === '000000' ? '111111' : '000000';

      expect(
        errorCodes(await server.send(ConfirmRegistrationDocument, { input: { username: 'conf-bob', code: wrong } })),
      ).toEqual(['CODE_MISMATCH']);
      const confirmed = await server.send(ConfirmRegistrationDocument, { input: { username: 'conf-bob', code } });
      expect(confirmed).toMatchObject({ data: { confirmRegistration: true } });
    });

    it('refuses a second confirmation exactly as an unknown user: CODE_MISMATCH, no account enumeration', async () => {
      const logged = server.logger.lines.length;
      await server.send(RegisterDocument, {
        input: { username: 'conf-twice', email: 'twice@example.com', password: PASSWORD },
      });
      const code = await server.logger.codeFor('conf-twice', logged);
      await server.send(ConfirmRegistrationDocument, { input: { username: 'conf-twice', code } });
      // cognito-local answers ExpiredCodeException for a confirmed user, NotAuthorized for an unknown one.
      const again = await server.send(ConfirmRegistrationDocument, { input: { username: 'conf-twice', code } });
      const unknown = await server.send(ConfirmRegistrationDocument, { input: { username: 'conf-nobody-2', code } });
      expect(errorCodes(again)).toEqual(['CODE_MISMATCH']);
      expect(again).toEqual(unknown);
    });

    it('gives an unknown user the same CODE_MISMATCH as a wrong code', async () => {
      const response = await server.send(ConfirmRegistrationDocument, {
        input: { username: 'conf-nobody', code: '123456' },
      });
      expect(errorCodes(response)).toEqual(['CODE_MISMATCH']);
    });

    it('refuses a code with spaces with BAD_USER_INPUT', async () => {
      const response = await server.send(ConfirmRegistrationDocument, {
        input: { username: 'conf-bob', code: '12 34' },
      });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('usernames', () => {
    it('are one user whatever their case, known by the name they signed up with', async () => {
      const { userSub } = await signUpAndIn(server, 'Case-Alice');
      const again = await server.send(RegisterDocument, {
        input: { username: 'case-alice', email: 'other@example.com', password: PASSWORD },
      });
      expect(errorCodes(again)).toEqual(['USERNAME_EXISTS']);

      const signedIn = await server.send(AuthenticateDocument, {
        input: { username: 'CASE-ALICE', password: PASSWORD },
      });
      const { accessToken } = tokensOf(signedIn.data?.authenticate);
      const me = await server.send(WhoAmIDocument, {}, accessToken);
      expect(me.data).toMatchObject({ me: { id: userSub, username: 'Case-Alice' } });
    });

    it('confirm in any case too', async () => {
      const logged = server.logger.lines.length;
      await server.send(RegisterDocument, {
        input: { username: 'Case-Bob', email: 'bob@example.com', password: PASSWORD },
      });
      const code = await server.logger.codeFor('Case-Bob', logged);
      expect(await server.send(ConfirmRegistrationDocument, { input: { username: 'case-bob', code } })).toMatchObject({
        data: { confirmRegistration: true },
      });
    });
  });

  it('says plainly that the emulator cannot resend a confirmation code', async () => {
    const response = await server.send(ResendConfirmationCodeDocument, { input: { username: 'anyone' } });
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(response.errors![0].message).toBe('This user pool does not support this operation');
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
      errorCodes(await server.send(AuthenticateDocument, { input: { username: 'OLD-ALICE', password: PASSWORD } })),
    ).toEqual(['UNAUTHENTICATED']);
  });
});

// cognito-local 5.3.0 has no ResendConfirmationCode: what the server sends and answers is tested
// against the fake (test/support/protocol.ts).
describe('sign-up against a fake Cognito (what cognito-local cannot do)', () => {
  const pool = onFakePool();
  describeCodeDelivery(pool, {
    mutation: 'resendConfirmationCode',
    target: 'ResendConfirmationCode',
    send: (username) => pool.server.send(ResendConfirmationCodeDocument, { input: { username } }),
  });
});
