import {
  AuthenticateDocument,
  ConfirmRegistrationDocument,
  RegisterDocument,
  SignOutDocument,
  UpdateMeDocument,
  WhoAmIDocument,
} from '../../examples/generated/graphql';
import { codeLine } from '../../src/local-cognito/local-cognito.service';
import { PASSWORD, signUpAndIn } from '../support/flows';
import { errorCodes, GraphQLResponse, startTestServer, TestServer } from '../support/test-server';

// One rule for every string input (src/errors/validation.ts): no control characters (C0, DEL,
// C1, U+2028, U+2029) and a length bound, in DTO fields and bare arguments alike.

/** The email of issue 12: accepted by IsEmail (a quoted local part), it forged a code line in the log. */
const FORGING_EMAIL = '"x\nCode:        000000\n"@example.com';

/** The fields a BAD_USER_INPUT answer names, with their problems. */
const invalidFields = (response: GraphQLResponse) =>
  (response.errors?.[0]?.extensions.fields as { field: string; problems: string[] }[] | undefined) ?? [];

describe('string inputs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses the email that forged a code line, naming the field, and logs no such line', async () => {
    const response = await server.send(RegisterDocument, {
      input: { username: 'forger', email: FORGING_EMAIL, password: PASSWORD },
    });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(invalidFields(response)).toEqual([
      { field: 'email', problems: ['email must not contain control characters'] },
    ]);
    expect(server.logger.lines.join('\n')).not.toContain('000000');
  });

  it.each([
    ['a line feed', '\n'],
    ['a carriage return', '\r'],
    ['ESC', '\u001b'],
    ['NUL', '\u0000'],
    ['DEL', '\u007f'],
    ['a C1 control (NEL)', '\u0085'],
    ['the line separator U+2028', '\u2028'],
    ['the paragraph separator U+2029', '\u2029'],
  ])('refuses %s in any field of any input', async (_, control) => {
    const answers = await Promise.all([
      server.send(AuthenticateDocument, { input: { username: `a${control}b`, password: PASSWORD } }),
      server.send(AuthenticateDocument, { input: { username: 'someone', password: `${PASSWORD}${control}` } }),
      server.send(ConfirmRegistrationDocument, { input: { username: 'someone', code: `123${control}456` } }),
      server.send(RegisterDocument, {
        input: { username: 'someone', email: 'a@example.com', password: PASSWORD, name: control },
      }),
    ]);
    expect(answers.map((a) => invalidFields(a).map((f) => f.field))).toEqual([
      ['username'],
      ['password'],
      ['code'],
      ['name'],
    ]);
  });

  it('refuses control characters and overlong strings in a bare argument (signOut refreshToken)', async () => {
    const { accessToken } = await signUpAndIn(server, 'bare-arguments');
    for (const refreshToken of ['a.b.c\r\nX-Injected: 1', 'x'.repeat(16385)]) {
      const response = await server.send(SignOutDocument, { refreshToken }, accessToken);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(invalidFields(response).map((f) => f.field)).toEqual(['refreshToken']);
    }
    // Still signed in: nothing ran.
    expect(errorCodes(await server.send(WhoAmIDocument, {}, accessToken))).toEqual([]);
  });

  it('bounds names and addresses after NFKC too: U+FDFA is 1 character given, 18 normalised', async () => {
    const { accessToken } = await signUpAndIn(server, 'nfkc-bounds');
    const username = `y-${'\uFDFA'.repeat(15)}`; // 17 characters; 272 once normalised
    const signIn = await server.send(AuthenticateDocument, { input: { username, password: PASSWORD } });
    expect(invalidFields(signIn)).toEqual([
      { field: 'username', problems: ['username must be at most 128 characters, also once normalised (NFKC)'] },
    ]);
    const email = `${'\uFDFA'.repeat(15)}@example.com`;
    const update = await server.send(UpdateMeDocument, { input: { email } }, accessToken);
    expect(invalidFields(update).map((f) => f.field)).toEqual(['email']);
  });

  it('writes the development code line on one line whatever its fields hold', () => {
    const line = codeLine({ username: 'u\u2028Code: 1', destination: FORGING_EMAIL, code: '123456' });
    expect(line).toBe(
      'Code for user "u\\u2028Code: 1" (would be sent to "x\\u000aCode:        000000\\u000a"@example.com): 123456',
    );
  });
});
