import { ApolloClient, CombinedGraphQLErrors } from '@apollo/client';
import { buildSchema, isAbstractType } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  confirmRegistration,
  createClient,
  errorCodes,
  me,
  possibleTypes,
  refresh,
  register,
  signIn,
} from '../examples/typed-client';
import { PASSWORD } from './support/flows';
import { startTestServer, TestServer } from './support/test-server';

// Apollo Client in Node against the real server, through the example typed client: the operations and
// types that `npm run codegen` generates and CI type-checks are the ones that run here.
describe('Apollo Client with the generated operations', () => {
  let server: TestServer;
  let client: ApolloClient;
  let accessToken: string | undefined;

  beforeAll(async () => {
    server = await startTestServer();
    client = createClient(server.url, () => accessToken);
  });
  afterAll(async () => {
    client?.stop();
    await server?.close();
  });
  beforeEach(() => {
    accessToken = undefined;
  });

  /** What a call to the server threw. */
  async function failure(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      (result) => {
        throw new Error(`expected an error, got ${JSON.stringify(result)}`);
      },
      (error: unknown) => error,
    );
  }

  it('lists every member of every union and interface of schema.gql in possibleTypes', () => {
    const schema = buildSchema(readFileSync(join(__dirname, '..', 'schema.gql'), 'utf8'));
    const fromSchema = Object.values(schema.getTypeMap())
      .filter(isAbstractType)
      .map((type): [string, string[]] => [type.name, schema.getPossibleTypes(type).map((member) => member.name)]);
    const sorted = (entries: [string, string[]][]) =>
      Object.fromEntries(entries.map(([name, members]) => [name, [...members].sort()]));
    expect(sorted(Object.entries(possibleTypes))).toEqual(sorted(fromSchema));
  });

  it('registers, confirms, signs in, reads me, refreshes and reads me with the new access token', async () => {
    const username = 'apollo-alice';
    const logged = server.logger.lines.length;
    const registered = await register(client, {
      username,
      email: `${username}@example.com`,
      password: PASSWORD,
      name: 'Alice',
    });
    expect(registered).toMatchObject({ __typename: 'RegisterResult', username, userConfirmed: false });

    const code = await server.logger.codeFor(username, logged);
    expect(await confirmRegistration(client, username, code)).toBe(true);

    const signedIn = await signIn(client, username, PASSWORD);
    if (!('tokens' in signedIn)) throw new Error(`expected tokens, got ${JSON.stringify(signedIn)}`);
    const { tokens } = signedIn;
    // Read back through the cache: without possibleTypes.AuthResult only __typename would be left.
    expect(tokens).toMatchObject({ __typename: 'AuthTokens', tokenType: 'Bearer', refreshToken: expect.any(String) });

    accessToken = tokens.accessToken;
    const user = {
      __typename: 'User',
      id: registered.userSub,
      username,
      email: `${username}@example.com`,
      emailVerified: true,
      name: 'Alice',
      groups: [],
    };
    expect(await me(client)).toEqual(user);

    const refreshed = await refresh(client, tokens.refreshToken!);
    expect(refreshed).toMatchObject({ __typename: 'AuthTokens', tokenType: 'Bearer' });
    accessToken = refreshed.accessToken;
    expect(await me(client)).toEqual(user);
  });

  it('surfaces UNAUTHENTICATED for a bad token as a CombinedGraphQLErrors with the code', async () => {
    accessToken = 'not-a-jwt';
    const error = await failure(me(client));
    expect(error).toBeInstanceOf(CombinedGraphQLErrors);
    expect(errorCodes(error)).toEqual(['UNAUTHENTICATED']);
  });

  it('surfaces BAD_USER_INPUT for invalid input, with the fields at fault', async () => {
    const error = await failure(register(client, { username: 'has space', email: 'not-an-email', password: PASSWORD }));
    expect(errorCodes(error)).toEqual(['BAD_USER_INPUT']);
    const fields = (error as CombinedGraphQLErrors).errors[0].extensions?.fields as { field: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual(['email', 'username']);
  });
});
