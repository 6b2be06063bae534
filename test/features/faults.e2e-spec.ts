import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import {
  AuthenticateDocument,
  ConfirmRegistrationDocument,
  MeDocument,
  RefreshTokensDocument,
  RegisterDocument,
  WhoAmIDocument,
} from '../../examples/generated/graphql';
import { recordFigure } from '../security/figures';
import { FakeCognito } from '../support/fake-cognito';
import { PASSWORD, signUpAndIn } from '../support/flows';
import { freePort } from '../support/free-port';
import { collectGarbage, Exchange, HostileKeyServer, Misbehaviour } from '../support/hostile-key-server';
import { SlowProxy } from '../support/slow-proxy';
import { StandaloneEmulator } from '../support/standalone-emulator';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';
import { TokenMinter } from '../support/token-minter';

// Faults of the user pool and of its signing keys (Redis's: redis-faults.e2e-spec.ts).

// For SECURITY.md: how many faults the outage, slowness and key cases below injected and survived.
const faults = { injected: 0, survived: 0 };
const survived = () => faults.survived++;

afterAll(() => recordFigure('faults', faults));

// Faults cognito-local cannot produce, injected with a fake Cognito HTTP API (test/support/fake-cognito.ts),
// and a Cognito that is not there at all. Each must end in a clear error code, never a hang or a 500.
describe('faults of the user pool', () => {
  const POOL = 'local_fault';
  const CLIENT = 'fault-client';
  const SECRET = 'fault-secret';
  let fake: FakeCognito;
  let server: TestServer;

  const register = () =>
    server.send(RegisterDocument, { input: { username: 'fault-user', email: 'f@example.com', password: PASSWORD } });

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT, clientSecret: SECRET });
    const endpoint = await fake.start();
    server = await startTestServer({
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: CLIENT,
      COGNITO_CLIENT_SECRET: SECRET,
      COGNITO_ENDPOINT: endpoint,
      COGNITO_TIMEOUT_MS: '300',
    });
    // The SDK loads code of its own at a process's first call, which on a busy machine took longer
    // than the 300 ms above: one call first, so that the tests time Cognito, not that.
    fake.reply('SignUp', { status: 200, body: { UserSub: 'sub-0', UserConfirmed: false } });
    await server.send(RegisterDocument, { input: { username: 'warm-up', email: 'w@example.com', password: PASSWORD } });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });
  beforeEach(() => fake.reset());

  it('sends SECRET_HASH = HMAC-SHA256(secret, username + clientId) on every user call', async () => {
    const expected = createHmac('sha256', SECRET).update(`fault-user${CLIENT}`).digest('base64');
    fake.reply('SignUp', { status: 200, body: { UserSub: 'sub-1', UserConfirmed: false } });
    fake.reply('ConfirmSignUp', { status: 200, body: {} });
    fake.reply('InitiateAuth', {
      status: 200,
      body: { AuthenticationResult: { AccessToken: 'a', IdToken: 'i', ExpiresIn: 3600, TokenType: 'Bearer' } },
    });

    expect(errorCodes(await register())).toEqual([]);
    await server.send(ConfirmRegistrationDocument, { input: { username: 'fault-user', code: '123456' } });
    await server.send(AuthenticateDocument, { input: { username: 'fault-user', password: PASSWORD } });
    await server.send(RefreshTokensDocument, { input: { refreshToken: 'refresh.token.r', username: 'fault-user' } });

    expect(fake.calls.map((c) => c.target)).toEqual(['SignUp', 'ConfirmSignUp', 'InitiateAuth', 'InitiateAuth']);
    expect(fake.calls[0].body).toMatchObject({ ClientId: CLIENT, Username: 'fault-user', SecretHash: expected });
    expect(fake.calls[1].body).toMatchObject({ ClientId: CLIENT, SecretHash: expected, ConfirmationCode: '123456' });
    expect(fake.calls[2].body).toMatchObject({
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'fault-user', PASSWORD, SECRET_HASH: expected },
    });
    expect(fake.calls[3].body).toMatchObject({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'refresh.token.r', SECRET_HASH: expected },
    });
  });

  it('answers Cognito throttling with TOO_MANY_REQUESTS', async () => {
    fake.error('SignUp', 'TooManyRequestsException');
    expect(errorCodes(await register())).toEqual(['TOO_MANY_REQUESTS']);
    fake.error('InitiateAuth', 'TooManyFailedAttemptsException');
    const signIn = await server.send(AuthenticateDocument, { input: { username: 'fault-user', password: PASSWORD } });
    expect(errorCodes(signIn)).toEqual(['TOO_MANY_REQUESTS']);
  });

  it('answers an expired code on confirmRegistration as a wrong one (CODE_MISMATCH): it cannot tell who has an account', async () => {
    fake.error('ConfirmSignUp', 'ExpiredCodeException');
    const expired = await server.send(ConfirmRegistrationDocument, { input: { username: 'fault-user', code: '1' } });
    expect(errorCodes(expired)).toEqual(['CODE_MISMATCH']);
    expect(expired.errors![0].message).toMatch(/expired/);
  });

  it('answers a Cognito server error with SERVICE_UNAVAILABLE', async () => {
    fake.error('SignUp', 'InternalErrorException', undefined, 500);
    expect(errorCodes(await register())).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('answers a Cognito that does not reply within COGNITO_TIMEOUT_MS with SERVICE_UNAVAILABLE', async () => {
    fake.reply('SignUp', 'hang');
    expect(errorCodes(await register())).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('masks an error it does not know as INTERNAL_SERVER_ERROR and logs the cause', async () => {
    fake.error('SignUp', 'BrandNewException');
    const response = await register();
    expect(response.errors).toEqual([
      expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
    // With the request's id, to find it from the request line.
    expect(server.logger.lines.join('\n')).toMatch(
      /Unexpected error in register: BrandNewException.*"reqId":"[0-9a-f-]{36}"/,
    );
  });

  it("logs the unexpected error with its request's id: the id of that request's line", async () => {
    fake.error('SignUp', 'AnotherNewException');
    const after = server.logger.lines.length;
    expect(errorCodes(await register())).toEqual(['INTERNAL_SERVER_ERROR']);
    const sinceThen = () => server.logger.lines.slice(after);
    // The request line comes when the answer has gone: wait for it.
    for (let waited = 0; !sinceThen().some((line) => line.includes('[Request]')) && waited < 5000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const lines = sinceThen();
    const errorLine = lines.find((line) => line.includes('Unexpected error in register: AnotherNewException'));
    const errorId = /"reqId":"([^"]+)"/.exec(errorLine ?? '')?.[1];
    const requestLine = lines.find((line) => line.includes('"outcome":"INTERNAL_SERVER_ERROR"'));
    expect(errorId).toBeDefined();
    expect(JSON.parse(requestLine!.slice(requestLine!.indexOf('{')))).toMatchObject({
      msg: 'request',
      reqId: errorId,
      operation: 'Register',
    });
  });

  it('answers a token it cannot check, because the signing keys cannot be fetched, with SERVICE_UNAVAILABLE', async () => {
    fake.reply(`GET /${POOL}/.well-known/jwks.json`, { status: 503, body: {} });
    const response = await server.send(MeDocument, {}, wellFormedToken());
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  });
});

describe('a user pool that is not there', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      COGNITO_USER_POOL_ID: 'local_gone',
      COGNITO_CLIENT_ID: 'client',
      COGNITO_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('still starts, warning that the signing keys could not be loaded', () => {
    expect(server.logger.lines.join('\n')).toMatch(/warn .*Could not load the token signing keys/);
  });

  it('answers every mutation with SERVICE_UNAVAILABLE', async () => {
    const responses = await Promise.all([
      server.send(RegisterDocument, { input: { username: 'gone', email: 'g@example.com', password: PASSWORD } }),
      server.send(ConfirmRegistrationDocument, { input: { username: 'gone', code: '123456' } }),
      server.send(AuthenticateDocument, { input: { username: 'gone', password: PASSWORD } }),
      server.send(RefreshTokensDocument, { input: { refreshToken: 'refresh.token.r' } }),
    ]);
    expect(responses.map((r) => r.errors?.[0].extensions.code)).toEqual(Array(4).fill('SERVICE_UNAVAILABLE'));
    // Said in the log, once for the burst rather than once a request.
    expect(server.logger.lines.filter((line) => line.includes('Cognito is unavailable'))).toHaveLength(1);
  });
});

// Keep serving, lose nothing, recover: the user pool goes away, slows down, or rotates its keys.
describe('the user pool stops and comes back', () => {
  let emulator: StandaloneEmulator;
  let server: TestServer;

  beforeAll(async () => {
    emulator = await StandaloneEmulator.start();
    const { userPoolId, clientId } = await emulator.createPool('outage');
    server = await startTestServer({
      COGNITO_USER_POOL_ID: userPoolId,
      COGNITO_CLIENT_ID: clientId,
      COGNITO_ENDPOINT: emulator.endpoint,
      COGNITO_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.stop();
  });

  it('answers SERVICE_UNAVAILABLE meanwhile, keeps `me` working from the cached keys, and recovers without a restart', async () => {
    const user = await signUpAndIn(server, 'outage-user', undefined, emulator.codes);
    faults.injected++;
    await emulator.crash();

    const register = await server.send(RegisterDocument, {
      input: { username: 'during-outage', email: 'd@example.com', password: PASSWORD },
    });
    expect(errorCodes(register)).toEqual(['SERVICE_UNAVAILABLE']);
    expect((await server.send(WhoAmIDocument, {}, user.accessToken)).data).toEqual({
      me: { id: user.userSub, username: 'outage-user', groups: [] },
    });
    // One field from the token and one from the pool, written out: the answer keeps the first.
    const profile = await server.gql('{ me { username email } }', {}, user.accessToken);
    expect(profile.data).toEqual({ me: { username: 'outage-user', email: null } });
    expect(errorCodes(profile)).toEqual(['SERVICE_UNAVAILABLE']);

    await emulator.recover();
    const again = await signUpAndIn(server, 'after-outage', undefined, emulator.codes);
    expect((await server.send(MeDocument, {}, again.accessToken)).data!.me.username).toBe('after-outage');
    expect((await server.gql('{ me { email } }', {}, user.accessToken)).data).toEqual({
      me: { email: 'outage-user@example.com' },
    });
    survived();
  });
});

describe('the user pool is slow', () => {
  let emulator: StandaloneEmulator;
  let proxy: SlowProxy;
  let server: TestServer;
  const TIMEOUT_MS = 500;

  beforeAll(async () => {
    emulator = await StandaloneEmulator.start();
    const { userPoolId, clientId } = await emulator.createPool('slow');
    proxy = new SlowProxy(Number(new URL(emulator.endpoint).port));
    const endpoint = await proxy.start();
    server = await startTestServer({
      COGNITO_USER_POOL_ID: userPoolId,
      COGNITO_CLIENT_ID: clientId,
      COGNITO_ENDPOINT: endpoint,
      COGNITO_ISSUER: `${emulator.endpoint}/${userPoolId}`,
      COGNITO_TIMEOUT_MS: String(TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.stop();
    await emulator?.stop();
  });

  it('gives up after COGNITO_TIMEOUT_MS with SERVICE_UNAVAILABLE, and serves at full speed when it is fast again', async () => {
    const user = await signUpAndIn(server, 'slow-user', undefined, emulator.codes);
    faults.injected++;
    proxy.delayMs = TIMEOUT_MS * 4;
    const started = Date.now();
    const response = await server.send(RegisterDocument, {
      input: { username: 'slow-new', email: 's@example.com', password: PASSWORD },
    });
    const waited = Date.now() - started;
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    // It answered on its own timeout, not the proxy's delay.
    expect(waited).toBeLessThan(TIMEOUT_MS * 4);
    expect((await server.send(WhoAmIDocument, {}, user.accessToken)).data!.me.username).toBe('slow-user');

    proxy.delayMs = 0;
    expect(
      errorCodes(
        await server.send(RegisterDocument, {
          input: { username: 'fast-new', email: 'f@example.com', password: PASSWORD },
        }),
      ),
    ).toEqual([]);
    survived();
  });
});

describe('the signing keys', () => {
  const POOL = 'local_keys';
  const CLIENT = 'keys-client';
  let fake: FakeCognito;
  let minter: TokenMinter;
  let rotated: TokenMinter;
  let server: TestServer;
  const JWKS = `/${POOL}/.well-known/jwks.json`;
  const fetches = () => fake.gets.filter((path) => path === JWKS).length;

  beforeAll(async () => {
    fake = new FakeCognito({ clientId: CLIENT });
    const endpoint = await fake.start();
    minter = new TokenMinter(`${endpoint}/${POOL}`, CLIENT);
    rotated = new TokenMinter(`${endpoint}/${POOL}`, CLIENT, 'protocol-key-2');
    // Not reachable at start-up.
    fake.reply(`GET ${JWKS}`, { status: 503, body: {} });
    server = await startTestServer({
      COGNITO_USER_POOL_ID: POOL,
      COGNITO_CLIENT_ID: CLIENT,
      COGNITO_ENDPOINT: endpoint,
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  const ready = async () => (await fetch(`${server.url.replace('/graphql', '')}/health/ready`)).status;

  it('unreachable at start-up: the server starts not ready, answers SERVICE_UNAVAILABLE, and becomes ready once they load', async () => {
    faults.injected++;
    expect(await ready()).toBe(503);
    expect((await fetch(server.url.replace('/graphql', '/health/live'))).status).toBe(200);
    expect(errorCodes(await server.send(WhoAmIDocument, {}, minter.accessToken('early')))).toEqual([
      'SERVICE_UNAVAILABLE',
    ]);

    fake.reply(`GET ${JWKS}`, { status: 200, body: minter.jwks });
    const deadline = Date.now() + 15_000;
    while ((await ready()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ready()).toBe(200);
    expect((await server.send(WhoAmIDocument, {}, minter.accessToken('early'))).data!.me.id).toBe('early');
    survived();
  });

  it('rotated: a token with a new kid makes the server fetch the keys again, and a flood of unknown kids fetches at most once', async () => {
    faults.injected++;
    fake.reply(`GET ${JWKS}`, { status: 200, body: { keys: [...minter.jwks.keys, ...rotated.jwks.keys] } });
    const before = fetches();
    expect((await server.send(WhoAmIDocument, {}, rotated.accessToken('rotated'))).data!.me.id).toBe('rotated');
    expect(fetches()).toBe(before + 1);

    const flood = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.send(WhoAmIDocument, {}, minter.sign({ alg: 'RS256', kid: `unknown-${i}` }, minter.claims('x'))),
      ),
    );
    expect(flood.every((r) => errorCodes(r)[0] === 'UNAUTHENTICATED')).toBe(true);
    expect(fetches()).toBeLessThanOrEqual(before + 2);
    recordFigure('unknownKidFlood', { tokens: 50, jwksFetches: fetches() - before - 1 });
    // Known keys keep working all along.
    expect((await server.send(WhoAmIDocument, {}, minter.accessToken('steady'))).data!.me.id).toBe('steady');
    survived();
  });
});

describe('a key server that trickles or floods its answer', () => {
  const TIMEOUT_MS = 500;
  let keys: HostileKeyServer;
  let server: TestServer | undefined;

  const start = async (misbehaviour: Misbehaviour) => {
    keys = new HostileKeyServer(misbehaviour);
    server = await startTestServer({
      COGNITO_USER_POOL_ID: 'local_hostile',
      COGNITO_CLIENT_ID: 'hostile-client',
      COGNITO_ENDPOINT: await keys.start(),
      COGNITO_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    return server;
  };
  /** The first `count` fetches of the keys, once each has ended. */
  const ended = async (count: number): Promise<Exchange[]> => {
    const deadline = Date.now() + 20_000;
    while (keys.exchanges.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const exchanges = keys.exchanges.slice(0, count);
    expect(exchanges).toHaveLength(count);
    await Promise.all(exchanges.map((exchange) => exchange.closed));
    return exchanges;
  };
  const readiness = async () => (await fetch(server!.url.replace('/graphql', '/health/ready'))).status;

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await keys?.stop();
  });

  it.each(['head', 'body'] as const)(
    'trickling its %s: start-up, the readiness probe and the key retries each give up after COGNITO_TIMEOUT_MS',
    async (what) => {
      faults.injected++;
      const EVERY_MS = 50;
      // A long-running server collects garbage now and then; on Node 20 that once lost fetch()'s
      // abort signal, and the fetch hung for as long as the key server kept trickling.
      const gc = setInterval(collectGarbage, 100);
      try {
        // Start-up waits for the keys: it must stop waiting.
        await start({ kind: 'trickle', what, everyMs: EVERY_MS });
        expect(server!.logger.lines.join('\n')).toMatch(/warn .*Could not load the token signing keys/);
        expect(await readiness()).toBe(503);
        // Start-up, the probe, and the first retry (500 ms after start-up).
        const exchanges = await ended(3);
        // Each hung up on its own deadline, about TIMEOUT_MS / EVERY_MS bytes in (the trickle and
        // the deadline run on this process's event loop, so a busy machine slows both alike),
        // long before the answer was whole.
        const trickled = exchanges.map((exchange) => exchange.sent);
        for (const sent of trickled) expect(sent).toBeLessThan((4 * TIMEOUT_MS) / EVERY_MS);
        expect(Math.max(...trickled)).toBeLessThan(exchanges[0].of);
        recordFigure(`trickledKeys-${what}`, {
          everyMs: EVERY_MS,
          timeoutMs: TIMEOUT_MS,
          maxBytesBeforeHangUp: Math.max(...trickled),
        });
      } finally {
        clearInterval(gc);
      }
      survived();
    },
  );

  it.each([
    ['declaring its size', true],
    ['without a Content-Length', false],
  ])('flooding 100 MiB %s: refuses the answer past 64 KiB without reading the rest', async (_how, declared) => {
    faults.injected++;
    const BYTES = 100 * 1024 * 1024;
    await start({ kind: 'flood', bytes: BYTES, declared });
    expect(await readiness()).toBe(503);
    const exchanges = await ended(2);
    // What went out before we hung up: at most the 64 KiB we read, plus what the sockets' buffers
    // hold (a few MiB on loopback); reading the whole answer would have taken all 100 MiB.
    const sent = exchanges.map((exchange) => exchange.sent);
    for (const bytes of sent) expect(bytes).toBeLessThan(16 * 1024 * 1024);
    recordFigure(`floodedKeys-${declared ? 'declared' : 'chunked'}`, {
      bytes: BYTES,
      maxBytesBeforeHangUp: Math.max(...sent),
    });
    survived();
  });
});

/** A syntactically valid RS256 JWT with a kid, so that checking it needs the JWKS. */
function wellFormedToken(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${encode({ sub: 's', iat: now, exp: now + 60 })}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`;
}
