import { StandaloneEmulator } from '../support/standalone-emulator';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';

// NODE_ENV=production, or any pool without NODE_ENV=development: nothing about the schema or the
// server is given away.
describe('production mode', () => {
  let emulator: StandaloneEmulator;
  let server: TestServer;
  let pool: { COGNITO_USER_POOL_ID: string; COGNITO_CLIENT_ID: string; COGNITO_ENDPOINT: string };

  beforeAll(async () => {
    emulator = await StandaloneEmulator.start();
    const { userPoolId, clientId } = await emulator.createPool('production');
    pool = { COGNITO_USER_POOL_ID: userPoolId, COGNITO_CLIENT_ID: clientId, COGNITO_ENDPOINT: emulator.endpoint };
    server = await startTestServer({ NODE_ENV: 'production', ...pool });
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.stop();
  });

  it('refuses introspection', async () => {
    const response = await server.gql('{ __schema { types { name } } }');
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors![0].message).toMatch(/introspection is not allowed/i);
  });

  it('serves no browser IDE', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
    expect(await response.text()).not.toMatch(/<html/i);
  });

  it('suggests no field names', async () => {
    const response = await server.gql('{ mee { id } }');
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors![0].message).not.toMatch(/Did you mean/);
  });

  it('suggests no names and quotes no values in variable errors either', async () => {
    const response = await server.gql(
      'mutation ($input: AuthenticateInput!) { authenticate(input: $input) { __typename } }',
      { input: { usernam: 'x', password: ['S3cret-pass!'] } },
    );
    const messages = response.errors!.map((e) => e.message).join('\n');
    expect(messages).not.toMatch(/Did you mean/);
    expect(messages).not.toContain('S3cret-pass!');
  });

  it('measures __typename aliases like any field', async () => {
    const query = `{ ${Array.from({ length: 50 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    expect(errorCodes(await server.gql(query))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('keeps CSRF prevention on', async () => {
    const response = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
  });

  it('turns introspection and the IDE on only when asked to', async () => {
    const open = await startTestServer({
      NODE_ENV: 'production',
      GRAPHQL_INTROSPECTION: 'true',
      GRAPHQL_IDE: 'true',
      ...pool,
    });
    try {
      expect((await open.gql('{ __schema { queryType { name } } }')).data).toEqual({
        __schema: { queryType: { name: 'Query' } },
      });
      const page = await fetch(open.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).toMatch(/<html/i);
    } finally {
      await open.close();
    }
  });

  it('is as closed with NODE_ENV forgotten or misspelt: a pool opens only with NODE_ENV=development', async () => {
    for (const NODE_ENV of ['', 'staging']) {
      const forgotten = await startTestServer({ NODE_ENV, ...pool });
      try {
        const introspection = await forgotten.gql('{ __schema { queryType { name } } }');
        expect(introspection.errors![0].message).toMatch(/introspection is not allowed/i);
        expect((await forgotten.gql('{ mee { id } }')).errors![0].message).not.toMatch(/Did you mean/);
        const page = await fetch(forgotten.url, { headers: { accept: 'text/html' } });
        expect(await page.text()).not.toMatch(/<html/i);
      } finally {
        await forgotten.close();
      }
    }
  });

  it('with NODE_ENV=development, does suggest field names and serve introspection', async () => {
    const dev = await startTestServer({ NODE_ENV: 'development', ...pool });
    try {
      expect((await dev.gql('{ mee { id } }')).errors![0].message).toMatch(/Did you mean "me"/);
      expect((await dev.gql('{ __schema { queryType { name } } }')).data).toEqual({
        __schema: { queryType: { name: 'Query' } },
      });
    } finally {
      await dev.close();
    }
  });
});
