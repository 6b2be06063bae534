import { createHmac, generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { WhoAmIDocument } from '../../examples/generated/graphql';
import { FakeCognito } from '../support/fake-cognito';
import { WHO_AM_I } from '../support/flows';
import { TokenMinter } from '../support/token-minter';
import { errorCodes, GraphQLResponse, postGraphQL, startTestServer, TestServer } from '../support/test-server';
import { recordFigure } from './figures';

// Every malformed, forged or misused token must be refused with UNAUTHENTICATED: never a 500, never
// a crash. The pool's signing keys come from a fake Cognito (test/support/fake-cognito.ts) so that
// the test holds the pool's private key and can forge tokens that differ from a valid one in one way.
const POOL = 'local_sec';
const CLIENT = 'sec-client';

const b64 = (value: string | object) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('token corpus', () => {
  let fake: FakeCognito;
  let server: TestServer;
  let minter: TokenMinter;
  let jwksFetches = 0;
  const tried: string[] = [];
  const rejected: string[] = [];

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT });
    const endpoint = await fake.start();
    minter = new TokenMinter(`${endpoint}/${POOL}`, CLIENT);
    fake.reply(`GET /${POOL}/.well-known/jwks.json`, { status: 200, body: minter.jwks });
    fake.reply('GET /elsewhere/jwks.json', { status: 200, body: minter.jwks });
    server = await startTestServer({
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: CLIENT,
      COGNITO_ENDPOINT: endpoint,
    });
    jwksFetches = fake.gets.length;
  });
  afterAll(async () => {
    recordFigure('tokens', { tried: tried.length, rejectedWithUnauthenticated: rejected.length });
    await server?.close();
    await fake?.stop();
  });

  const valid = () => minter.accessToken('user-1');

  /** Sends `authorization` as it is, and checks the refusal. */
  async function refused(name: string, authorization: string | undefined): Promise<GraphQLResponse> {
    tried.push(name);
    const response = await postGraphQL(
      server.url,
      { query: WHO_AM_I },
      undefined,
      authorization === undefined ? {} : { authorization },
    );
    expect({ name, status: response.status, codes: errorCodes(response) }).toEqual({
      name,
      status: 200,
      codes: ['UNAUTHENTICATED'],
    });
    expect(JSON.stringify(response)).not.toMatch(/\bat \S+ \(|stack/i);
    rejected.push(name);
    return response;
  }

  it('accepts the valid token the corpus is made from', async () => {
    const response = await server.send(WhoAmIDocument, {}, valid());
    expect(response.data).toEqual({ me: { id: 'user-1', username: 'user-1', groups: [] } });
  });

  const forged: [string, () => string][] = [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, () => string] => [
      `alg: ${alg}`,
      () => `${b64({ alg, kid: minter.kid })}.${b64(minter.claims('user-1'))}.`,
    ]),
    [
      'HS256 signed with the pool public key as HMAC secret',
      () => {
        const unsigned = `${b64({ alg: 'HS256', kid: minter.kid })}.${b64(minter.claims('user-1'))}`;
        const secret = minter.publicKey.export({ format: 'pem', type: 'spki' });
        return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
      },
    ],
    [
      'RS256 by a foreign key with the pool kid',
      () => minter.sign({ alg: 'RS256', kid: minter.kid }, minter.claims('user-1'), foreignKey()),
    ],
    ['unknown kid', () => minter.sign({ alg: 'RS256', kid: 'no-such-key' }, minter.claims('user-1'))],
    ['missing kid', () => minter.sign({ alg: 'RS256' }, minter.claims('user-1'))],
    [
      'tampered payload',
      () => {
        const [h, , s] = valid().split('.');
        return `${h}.${b64(minter.claims('admin-user', { 'cognito:groups': ['admin'] }))}.${s}`;
      },
    ],
    [
      'tampered header',
      () => {
        const [, p, s] = valid().split('.');
        return `${b64({ alg: 'RS256', kid: minter.kid, typ: 'JWT', extra: 1 })}.${p}.${s}`;
      },
    ],
    ['truncated signature', () => valid().slice(0, -10)],
    ['expired', () => minter.accessToken('user-1', { exp: Math.floor(Date.now() / 1000) - 1 })],
    ['nbf in the future', () => minter.accessToken('user-1', { nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['missing exp', () => minter.accessToken('user-1', { exp: undefined })],
    [
      'iat in the future beyond the skew',
      () => minter.accessToken('user-1', { iat: Math.floor(Date.now() / 1000) + 3600 }),
    ],
    ...issuerVariants().map((iss): [string, () => string] => [
      // Named by the variant's source: the minter, and so the issuer, does not exist yet.
      `wrong iss ${String(iss)}`,
      () => minter.accessToken('user-1', { iss: iss() }),
    ]),
    ['wrong client_id', () => minter.accessToken('user-1', { client_id: 'other-client' })],
    [
      'ID token where an access token is required',
      () => minter.accessToken('user-1', { token_use: 'id', aud: CLIENT, client_id: undefined }),
    ],
    [
      'refresh token as access token',
      () =>
        minter.sign({ alg: 'RS256' }, { 'cognito:username': 'user-1', iat: Math.floor(Date.now() / 1000), jti: 'x' }),
    ],
    ['token of another pool', () => minter.accessToken('user-1', { iss: `${String(minter.claims('x').iss)}_other` })],
    ['header that is not JSON', () => `${b64('{not json')}.${b64(minter.claims('user-1'))}.sig`],
    ['payload that is not JSON', () => `${b64({ alg: 'RS256', kid: minter.kid })}.${b64('nope')}.sig`],
    ['header that is not an object', () => `${b64('[1,2]')}.${b64(minter.claims('user-1'))}.sig`],
    ['payload that is not an object', () => minter.sign({ alg: 'RS256', kid: minter.kid }, ['sub'])],
    ['2 segments', () => valid().split('.').slice(0, 2).join('.')],
    ['4 segments', () => `${valid()}.extra`],
    ['non-base64url characters', () => valid().replace(/^(.{10})/, '$1+/')],
    // Validly signed: only the length limit refuses it.
    ['a 9 KB token (under the header limit, over ours)', () => minter.accessToken('user-1', { pad: 'A'.repeat(6500) })],
    [
      'a jku pointing elsewhere (never fetched)',
      () =>
        minter.sign(
          { alg: 'RS256', kid: 'attacker', jku: `${fake.url}/elsewhere/jwks.json` },
          minter.claims('user-1'),
          foreignKey(),
        ),
    ],
    [
      'an x5u pointing elsewhere (never fetched)',
      () =>
        minter.sign(
          { alg: 'RS256', kid: 'attacker', x5u: `${fake.url}/elsewhere/cert.pem` },
          minter.claims('user-1'),
          foreignKey(),
        ),
    ],
  ];

  it.each(forged)('refuses %s', async (name, make) => {
    await refused(name, `Bearer ${make()}`);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer', 'Bearer '],
    ['the Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['a bare token without a scheme', 'TOKEN'],
  ])('refuses %s', async (name, authorization) => {
    await refused(name, authorization === 'TOKEN' ? valid() : authorization);
  });

  it('refuses two Authorization headers, even if the first is valid', async () => {
    tried.push('two Authorization headers');
    const body = JSON.stringify({ query: WHO_AM_I });
    const { port } = new URL(server.url);
    // A raw request: HTTP clients merge or refuse repeated headers.
    const raw = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.end(
          [
            'POST /graphql HTTP/1.1',
            `Host: 127.0.0.1:${port}`,
            'Content-Type: application/json',
            `Authorization: Bearer ${valid()}`,
            'Authorization: Bearer other',
            `Content-Length: ${Buffer.byteLength(body)}`,
            'Connection: close',
            '',
            body,
          ].join('\r\n'),
        ),
      );
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(errorCodes(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)))).toEqual(['UNAUTHENTICATED']);
    rejected.push('two Authorization headers');
  });

  it('leaves a 100 KB token to Node, which refuses headers over 16 KB before any code of ours runs', async () => {
    const bytes = 100 * 1024;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${'A'.repeat(bytes)}` },
      body: JSON.stringify({ query: WHO_AM_I }),
    });
    // What came back, not what should have.
    recordFigure('oversizeToken', { bytes, refusedByNodeWith431: Number(response.status === 431) });
    expect(response.status).toBe(431);
  });

  it('never fetched a key from anywhere but the pool JWKS URI', () => {
    expect(fake.gets.slice(jwksFetches).every((path) => path === `/${POOL}/.well-known/jwks.json`)).toBe(true);
    expect(fake.gets).not.toContain('/elsewhere/jwks.json');
    expect(fake.gets).not.toContain('/elsewhere/cert.pem');
  });

  it('still answers the valid token after the whole corpus', async () => {
    expect((await server.send(WhoAmIDocument, {}, valid())).data?.me.id).toBe('user-1');
  });

  function issuerVariants(): (() => string)[] {
    const iss = () => String(minter.claims('x').iss);
    return [
      () => `${iss()}x`,
      () => iss().slice(0, -1),
      () => `${iss()}/`,
      () => iss().replace('http://', 'https://'),
      () => iss().replace(POOL, 'local_other'),
    ];
  }
});

let foreign: ReturnType<typeof generateKeyPairSync>['privateKey'] | undefined;
function foreignKey() {
  foreign ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return foreign;
}
