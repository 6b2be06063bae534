import { createHash } from 'node:crypto';
import { buildClientSchema, getIntrospectionQuery, IntrospectionQuery, printSchema } from 'graphql';
import { signIn as signInOperation } from '../../src/cognito/operations/sign-in';
import { PASSWORD } from '../support/flows';
import { errorCodes, postGraphQL, startTestServer, TestServer } from '../support/test-server';

// Limits on what one request may ask for: refused before any resolver runs.
describe('GraphQL limits', () => {
  let server: TestServer;
  let signIn: jest.SpyInstance;

  beforeAll(async () => {
    server = await startTestServer({
      GRAPHQL_MAX_DEPTH: '2',
      GRAPHQL_MAX_FIELDS: '20',
      GRAPHQL_MAX_ALIASES: '3',
      GRAPHQL_MAX_QUERY_BYTES: '6000',
      HTTP_BODY_LIMIT_BYTES: '8192',
    });
    // Each sign-in sent to Cognito builds its request once.
    signIn = jest.spyOn(signInOperation, 'request');
  });
  beforeEach(() => signIn.mockClear());
  afterAll(async () => {
    await server?.close();
  });

  const signIns = (n: number) =>
    `mutation { ${Array.from(
      { length: n },
      (_, i) => `a${i}: authenticate(input: { username: "u${i}", password: "${PASSWORD}" }) { __typename }`,
    ).join(' ')} }`;

  async function refusedBeforeResolvers(query: string, message: RegExp): Promise<void> {
    const response = await server.gql(query);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors![0].message).toMatch(message);
    expect(response.data).toBeUndefined();
    expect(signIn).not.toHaveBeenCalled();
  }

  it('refuses too many aliases: 50 aliased sign-ins are not 50 tries', async () => {
    await refusedBeforeResolvers(signIns(50), /Aliases limit of 3 exceeded, found 50\./);
  });

  it('refuses too many fields, counting fragments where they are spread', async () => {
    // 21 fields; armor's cost counts each spread of F twice more (the spread and F itself): 27.
    const query = `fragment F on User { id username groups email name emailVerified }
      { a: me { ...F } b: me { ...F } c: me { ...F } }`;
    await refusedBeforeResolvers(query, /Query Cost limit of 20 exceeded, found 27\./);
  });

  it('refuses too deep a selection', async () => {
    const query = `mutation { authenticate(input: { username: "u", password: "p" }) {
      ... on AuthChallenge { parameters { name } } } }`;
    await refusedBeforeResolvers(query, /Query depth limit of 2 exceeded, found 3\./);
  });

  it('measures a fragment once: a chain that doubles at each of 40 levels is refused at once', async () => {
    const chain = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    const query = `{ ...F0 } ${chain.join(' ')} fragment F40 on Query { __typename }`;
    await refusedBeforeResolvers(query, /Query Cost limit of 20 exceeded, found \d+\./);
  });

  it('bounds parsing itself: a query nested thousands deep is refused without exhausting the stack', async () => {
    const response = await server.gql(`${'{a'.repeat(2500)}${'}'.repeat(2500)}`);
    expect(errorCodes(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(response.errors![0].message).toMatch(/Document contains more tha[nt] 2000 tokens/);
  });

  it('counts __typename like any field: only introspection proper has a budget of its own', async () => {
    const query = `{ ${Array.from({ length: 12 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
    await refusedBeforeResolvers(query, /Aliases limit of 3 exceeded, found 12\./);
  });

  it("refuses an operation type the schema lacks (subscription) as the client's fault, logging no error", async () => {
    const logged = server.logger.lines.length;
    for (const query of ['subscription { x }', 'subscription S { me { id } }']) {
      const response = await server.gql(query);
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors![0].message).toBe('This server has no subscription operations');
    }
    const lines = server.logger.lines.slice(logged);
    expect(lines.filter((line) => !line.startsWith('log '))).toEqual([]);
    expect(lines.filter((line) => line.includes('"outcome":"GRAPHQL_VALIDATION_FAILED"'))).toHaveLength(2);
  });

  it('refuses a query longer than the limit', async () => {
    await refusedBeforeResolvers(`{ me { id } }${' '.repeat(6100)}`, /at most 6000 are allowed/);
  });

  it('refuses a body over the limit with 413, before GraphQL', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(9000) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Request body is too large', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('answers an unknown HTTP route with 404 in the shape of a GraphQL error, without repeating the URL', async () => {
    const response = await fetch(server.url.replace('/graphql', '/admin?password=Corr3ct-Horse!'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Not found: the GraphQL API is at /graphql', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('answers a body that is not JSON in the shape of a GraphQL error', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it("answers what the README's error table says of BAD_REQUEST and NOT_FOUND, each with its HTTP status", async () => {
    const answer = async (response: Response) => [response.status, errorCodes((await response.json()) as never)];
    const json = { 'content-type': 'application/json' };
    const query = JSON.stringify({ query: '{ __typename }' });
    expect(
      await Promise.all([
        fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' }).then(
          answer,
        ),
        fetch(server.url, { method: 'POST', headers: json, body: '{}' }).then(answer),
        fetch(`${server.url}?query=${encodeURIComponent('mutation { deleteMe }')}`, {
          headers: { 'apollo-require-preflight': 'true' },
        }).then(answer),
        fetch(server.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: query }).then(answer),
        fetch(server.url, { method: 'PUT', headers: json, body: query }).then(answer),
      ]),
    ).toEqual([
      [415, ['BAD_REQUEST']],
      [400, ['BAD_REQUEST']],
      [405, ['BAD_REQUEST']],
      [400, ['BAD_REQUEST']],
      [404, ['NOT_FOUND']],
    ]);
  });

  it('refuses batched requests', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batch/i);
  });

  it('keeps persisted queries off: a query sent by its hash alone is refused, even once registered', async () => {
    const query = '{ __typename }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    // With automatic persisted queries on, this would register the query under its hash.
    const registering = await postGraphQL(server.url, { query, extensions: { persistedQuery } });
    expect(errorCodes(registering)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    const byHash = await postGraphQL(server.url, { extensions: { persistedQuery } });
    expect(byHash.data).toBeUndefined();
    expect(errorCodes(byHash)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
  });

  it('keeps CSRF prevention on: a GET query without a preflight header is refused', async () => {
    const query = encodeURIComponent('{ __typename }');
    const refused = await fetch(`${server.url}?query=${query}`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/CSRF/);
    const allowed = await fetch(`${server.url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await allowed.json()).toEqual({ data: { __typename: 'Query' } });
  });

  describe('introspection, measured against a budget of its own', () => {
    it("admits graphql-js's default introspection query, and what comes back builds a client's schema", async () => {
      // GraphQL Code Generator's URL loader (`schema: <url>`) sends getIntrospectionQuery() with the
      // options its config gives, none by default: this query, or one the next test's (every option
      // on) bounds. The CLI itself is no longer installed (scripts/codegen.js), so it is not run here.
      const response = await postGraphQL(server.url, {
        query: getIntrospectionQuery(),
        operationName: 'IntrospectionQuery',
      });
      expect(response.errors).toBeUndefined();
      const schema = buildClientSchema(response.data as IntrospectionQuery);
      expect(printSchema(schema)).toMatch(/input AuthenticateInput \{/);
    });

    it("admits graphql-js's standard introspection query with every option on", async () => {
      const query = getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      });
      const response = await server.gql(query);
      expect(response.errors).toBeUndefined();
      expect(response.data.__schema.queryType).toMatchObject({ name: 'Query' });
    });

    it('refuses aliased copies of the whole schema: 95 in 4 KB, or 2 within the configured alias limit', async () => {
      const copies = Array.from({ length: 95 }, (_, i) => `s${i}:__schema{types{fields{args{name}}}}`);
      await refusedBeforeResolvers(
        `{${copies.join(' ')}}`,
        /In __schema\/__type: Aliases limit of 0 exceeded, found 95\./,
      );
      await refusedBeforeResolvers(
        `{${copies.slice(0, 2).join(' ')}}`,
        /^In __schema\/__type: Aliases limit of 0 exceeded, found 2\.$/,
      );
    });

    it('measures introspection apart from the fields beside it, in fragments too', async () => {
      const copies = Array.from({ length: 9 }, (_, i) => `s${i}:__schema{types{fields{args{name}}}}`);
      await refusedBeforeResolvers(
        `{ __typename ${copies.join(' ')} }`,
        /In __schema\/__type: Aliases limit of 0 exceeded, found 9\./,
      );
      await refusedBeforeResolvers(
        `{ __typename ...F } fragment F on Query { ... on Query { ${copies.slice(0, 2).join(' ')} } }`,
        /In __schema\/__type: Aliases limit of 0 exceeded, found 2\./,
      );
      // Ordinary fields keep the configured limits beside it.
      const aliased = Array.from({ length: 4 }, (_, i) => `t${i}: __typename`).join(' ');
      await refusedBeforeResolvers(
        `{ __schema { queryType { name } } ${aliased} }`,
        /^Aliases limit of 3 exceeded, found 4\.$/,
      );
    });

    it('refuses an alias anywhere within __schema or __type: inside, through a fragment, on a look-up', async () => {
      for (const query of [
        '{ __schema { a: types { name } } }',
        '{ __schema { ...S } } fragment S on __Schema { t: types { name } }',
        '{ a: __type(name: "Query") { name } }',
      ]) {
        await refusedBeforeResolvers(query, /^In __schema\/__type: Aliases limit of 0 exceeded, found 1\.$/);
      }
    });

    it('measures a __type look-up against the configured limits (only __schema has the budget)', async () => {
      await refusedBeforeResolvers(
        '{ __type(name: "Query") { fields { name } } }',
        /^Query depth limit of 2 exceeded, found 3\.$/,
      );
    });

    it('refuses introspection nested deeper than its budget', async () => {
      const ofTypes = 'ofType{'.repeat(18);
      const query = `{ __schema { types { fields { type { ${ofTypes} name ${'}'.repeat(18)} } } } } }`;
      await refusedBeforeResolvers(query, /Introspection included: Query depth limit of 20 exceeded, found 23\./);
    });
  });

  it('answers an operation within the limits', async () => {
    // The clients' Authenticate (examples/operations) but for its AuthChallenge branch, whose
    // `parameters { name value }` is a third level: past GRAPHQL_MAX_DEPTH=2 here.
    const authenticate = `mutation Authenticate($input: AuthenticateInput!) {
  authenticate(input: $input) {
    __typename
    ... on AuthTokens { accessToken idToken refreshToken expiresIn tokenType }
  }
}`;
    const response = await postGraphQL(server.url, {
      query: authenticate,
      variables: { input: { username: 'nobody', password: PASSWORD } },
    });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(signIn).toHaveBeenCalledTimes(1);
  });
});
