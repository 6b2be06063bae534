import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import * as http from '../src/cognito/bounded-get';
import { describePool } from '../src/cognito/cognito-pool';
import { JwksFetcher } from '../src/cognito/jwks-fetcher';
import { TokenVerifier } from '../src/cognito/token-verifier';
import { parseConfig } from '../src/config/config';
import { TokenMinter } from './support/token-minter';

// Tokens as an AWS pool issues them cannot come from the emulator, so this test signs its own and
// serves their JWKS through a stubbed boundedGet (the only network call the verifier makes).
const POOL_ID = 'eu-west-1_Test123';
const CLIENT_ID = 'the-client';
const AWS_ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`;

const minter = new TokenMinter(AWS_ISSUER, CLIENT_ID, 'key-1');
const { publicKey } = minter;
const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const JWKS = minter.jwks;

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** An access token of alice, in group admin, from the pool; `claims` and `header` override. */
function token(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: KeyObject = minter.privateKey,
) {
  return minter.sign(
    { alg: 'RS256', kid: minter.kid, ...header },
    minter.claims('user-sub', { username: 'alice', 'cognito:groups': ['admin'], ...claims }),
    key,
  );
}

describe('TokenVerifier', () => {
  const fetched: string[] = [];

  beforeAll(() => {
    jest.spyOn(http, 'boundedGet').mockImplementation(async (uri) => {
      fetched.push(uri);
      return Buffer.from(JSON.stringify(JWKS));
    });
  });
  afterAll(() => jest.restoreAllMocks());

  const verifierFor = async (env: Record<string, string> = {}) => {
    const config = parseConfig({ COGNITO_USER_POOL_ID: POOL_ID, COGNITO_CLIENT_ID: CLIENT_ID, ...env });
    const verifier = new TokenVerifier(
      describePool(config.cognito as never),
      config.cognitoTimeoutMs,
      config.tokenCacheSize,
    );
    await verifier.onModuleInit();
    return verifier;
  };
  const rejection = (verifier: TokenVerifier, jwt: string) =>
    verifier.verify(jwt).then(
      () => 'accepted',
      (error) => `${error.code}: ${error.message}`,
    );

  describe('for an AWS pool (aws-jwt-verify Cognito verifier)', () => {
    let verifier: TokenVerifier;
    beforeAll(async () => {
      verifier = await verifierFor();
    });

    it('loads the JWKS at start-up from the pool JWKS URI', () => {
      expect(fetched).toContain(`${AWS_ISSUER}/.well-known/jwks.json`);
    });

    it('accepts a valid access token and reads the user from it', async () => {
      await expect(verifier.verify(token())).resolves.toMatchObject({
        id: 'user-sub',
        username: 'alice',
        groups: ['admin'],
      });
    });

    it('accepts the global issuer form AWS also uses, fetching its keys beside it', async () => {
      const globalIssuer = AWS_ISSUER.replace('https://cognito-idp.', 'https://issuer-cognito-idp.');
      await expect(verifier.verify(token({ iss: globalIssuer }))).resolves.toMatchObject({ username: 'alice' });
      expect(fetched).toContain(`${globalIssuer}/.well-known/jwks.json`);
    });

    it.each([
      ['expired', token({ exp: now() - 10 }), 'expired'],
      [
        'from an issuer that is no pool of ours',
        token({ iss: 'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
        'not valid',
      ],
      ['without username', token({ username: undefined }), 'not valid'],
      ['with groups that are not a list of names', token({ 'cognito:groups': { admin: true } }), 'not valid'],
      ['without exp', token({ exp: undefined }), 'not valid'],
      ['an ID token', token({ token_use: 'id', aud: CLIENT_ID }), 'not valid'],
      ['for another client', token({ client_id: 'other' }), 'not valid'],
      ['from another issuer', token({ iss: `${AWS_ISSUER}x` }), 'not valid'],
      ['signed by another key', token({}, {}, foreign), 'not valid'],
      ['with an unknown kid', token({}, { kid: 'key-2' }), 'not valid'],
      ['with alg none', `${b64({ alg: 'none', kid: 'key-1' })}.${b64({ sub: 'x' })}.`, 'not valid'],
      [
        'HS256 with the public key as secret',
        (() => {
          const unsigned = `${b64({ alg: 'HS256', kid: 'key-1' })}.${b64({ sub: 's', iss: AWS_ISSUER, exp: now() + 60 })}`;
          const secret = publicKey.export({ format: 'pem', type: 'spki' });
          return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
        })(),
        'not valid',
      ],
      ['not a JWT', 'abc', 'not valid'],
    ])('refuses a token %s with UNAUTHENTICATED', async (_why, jwt, message) => {
      expect(await rejection(verifier, jwt)).toMatch(new RegExp(`^UNAUTHENTICATED: .*${message}`));
    });
  });

  describe('for a custom endpoint (generic RSA verifier with the Cognito checks)', () => {
    const ENDPOINT = 'http://127.0.0.1:1';
    let verifier: TokenVerifier;
    beforeAll(async () => {
      verifier = await verifierFor({ COGNITO_ENDPOINT: ENDPOINT, COGNITO_ISSUER: AWS_ISSUER });
    });

    it('fetches the JWKS from the endpoint over http', () => {
      expect(fetched).toContain(`${ENDPOINT}/${POOL_ID}/.well-known/jwks.json`);
    });

    it('accepts a valid access token', async () => {
      await expect(verifier.verify(token())).resolves.toMatchObject({ username: 'alice' });
    });

    it.each([
      ['an ID token', token({ token_use: 'id' })],
      ['for another client', token({ client_id: 'other' })],
      ['without exp', token({ exp: undefined })],
      ['RS384', token({}, { alg: 'RS384' })],
    ])('refuses %s', async (_why, jwt) => {
      expect(await rejection(verifier, jwt)).toMatch(/^UNAUTHENTICATED/);
    });
  });

  it('checks a token once, then answers it from the cache; a bad token is never cached', async () => {
    const verifier = await verifierFor();
    const inner = jest.spyOn((verifier as unknown as { verifier: { verify: () => unknown } }).verifier, 'verify');
    const jwt = token();
    await verifier.verify(jwt);
    await verifier.verify(jwt);
    expect(inner).toHaveBeenCalledTimes(1);
    const bad = token({ client_id: 'other' });
    expect(await rejection(verifier, bad)).toMatch(/^UNAUTHENTICATED/);
    expect(await rejection(verifier, bad)).toMatch(/^UNAUTHENTICATED/);
    expect(inner).toHaveBeenCalledTimes(3);
  });

  it('takes an iat up to 60 s ahead (clocks disagree a little), and refuses one further ahead', async () => {
    const verifier = await verifierFor();
    expect(await rejection(verifier, token({ iat: now() + 30 }))).toBe('accepted');
    expect(await rejection(verifier, token({ iat: now() + 90 }))).toMatch(/^UNAUTHENTICATED: .*not valid/);
  });

  it('keeps no token in its cache: each request gets the user with its own token attached', async () => {
    const verifier = await verifierFor();
    const jwt = token();
    const first = await verifier.verify(jwt);
    const again = await verifier.verify(jwt);
    expect(again).toEqual(first);
    expect(again.accessToken).toBe(jwt);
    const cache = (verifier as unknown as { cache: { entries: Map<string, unknown> } }).cache;
    const held = JSON.stringify([...cache.entries]);
    expect(held).toContain('user-sub');
    for (const part of jwt.split('.')) expect(held).not.toContain(part);
  });

  it('never fetches a URI other than the configured JWKS URI', async () => {
    const fetcher = new JwksFetcher(['http://127.0.0.1:1/pool/.well-known/jwks.json'], 1000);
    await expect(fetcher.fetch('http://attacker.invalid/jwks.json')).rejects.toThrow('not a JWKS URI of the pool');
  });
});

describe('JwksFetcher', () => {
  it('follows no redirect: the keys come from the pool JWKS URI itself', async () => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      if (req.url === '/pool/.well-known/jwks.json') res.writeHead(302, { location: '/elsewhere/jwks.json' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(JWKS));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pool/.well-known/jwks.json`;
      await expect(new JwksFetcher([uri], 1000).fetch(uri)).rejects.toThrow('HTTP status 302');
      expect(asked).toEqual(['/pool/.well-known/jwks.json']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
