import { ME, PASSWORD, REGISTER, signUpAndIn } from '../support/flows';
import { FakeCognito } from '../support/fake-cognito';
import { collectGarbage, Exchange, HostileKeyServer, Misbehaviour } from '../support/hostile-key-server';
import { SlowProxy } from '../support/slow-proxy';
import { StandaloneEmulator } from '../support/standalone-emulator';
import { errorCodes, startTestServer, TestServer } from '../support/test-server';
import { TokenMinter } from '../support/token-minter';
import { recordFigure } from './figures';

// Keep serving, lose nothing, recover: the user pool goes away, slows down, or rotates its keys.
const TOKEN_FIELDS = '{ me { id username groups } }';
const faults = { injected: 0, survived: 0 };
const survived = () => faults.survived++;

afterAll(() => recordFigure('faults', faults));

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

    const register = await server.gql(REGISTER, {
      input: { username: 'during-outage', email: 'd@example.com', password: PASSWORD },
    });
    expect(errorCodes(register)).toEqual(['SERVICE_UNAVAILABLE']);
    expect((await server.gql(TOKEN_FIELDS, {}, user.accessToken)).data).toEqual({
      me: { id: user.userSub, username: 'outage-user', groups: [] },
    });
    const profile = await server.gql('{ me { username email } }', {}, user.accessToken);
    expect(profile.data).toEqual({ me: { username: 'outage-user', email: null } });
    expect(errorCodes(profile)).toEqual(['SERVICE_UNAVAILABLE']);

    await emulator.recover();
    const again = await signUpAndIn(server, 'after-outage', undefined, emulator.codes);
    expect((await server.gql(ME, {}, again.accessToken)).data.me.username).toBe('after-outage');
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
    const response = await server.gql(REGISTER, {
      input: { username: 'slow-new', email: 's@example.com', password: PASSWORD },
    });
    const waited = Date.now() - started;
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    // It answered on its own timeout, not the proxy's delay.
    expect(waited).toBeLessThan(TIMEOUT_MS * 4);
    expect((await server.gql(TOKEN_FIELDS, {}, user.accessToken)).data.me.username).toBe('slow-user');

    proxy.delayMs = 0;
    expect(
      errorCodes(
        await server.gql(REGISTER, { input: { username: 'fast-new', email: 'f@example.com', password: PASSWORD } }),
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
    expect(errorCodes(await server.gql(TOKEN_FIELDS, {}, minter.accessToken('early')))).toEqual([
      'SERVICE_UNAVAILABLE',
    ]);

    fake.reply(`GET ${JWKS}`, { status: 200, body: minter.jwks });
    const deadline = Date.now() + 15_000;
    while ((await ready()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ready()).toBe(200);
    expect((await server.gql(TOKEN_FIELDS, {}, minter.accessToken('early'))).data.me.id).toBe('early');
    survived();
  });

  it('rotated: a token with a new kid makes the server fetch the keys again, and a flood of unknown kids fetches at most once', async () => {
    faults.injected++;
    fake.reply(`GET ${JWKS}`, { status: 200, body: { keys: [...minter.jwks.keys, ...rotated.jwks.keys] } });
    const before = fetches();
    expect((await server.gql(TOKEN_FIELDS, {}, rotated.accessToken('rotated'))).data.me.id).toBe('rotated');
    expect(fetches()).toBe(before + 1);

    const flood = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        server.gql(TOKEN_FIELDS, {}, minter.sign({ alg: 'RS256', kid: `unknown-${i}` }, minter.claims('x'))),
      ),
    );
    expect(flood.every((r) => errorCodes(r)[0] === 'UNAUTHENTICATED')).toBe(true);
    expect(fetches()).toBeLessThanOrEqual(before + 2);
    recordFigure('unknownKidFlood', { tokens: 50, jwksFetches: fetches() - before - 1 });
    // Known keys keep working all along.
    expect((await server.gql(TOKEN_FIELDS, {}, minter.accessToken('steady'))).data.me.id).toBe('steady');
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
