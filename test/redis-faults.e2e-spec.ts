import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shortHash } from '../src/common/short-hash';
import {
  AUTHENTICATE,
  CHANGE_PASSWORD,
  DELETE_ME,
  ME,
  PASSWORD,
  SIGN_OUT,
  SignedIn,
  signUpAndIn,
} from './support/flows';
import { freePort } from './support/free-port';
import { Instance, untilReady } from './support/instances';
import { RedisServer, startRedis } from './support/redis-server';
import { SlowProxy } from './support/slow-proxy';
import { StandaloneEmulator } from './support/standalone-emulator';
import { errorCodes, GraphQLResponse } from './support/test-server';

// Redis failing under real product processes (dist/main.js, as `npm start` runs it, on a pool of a
// standalone emulator), each against a real redis-server of its own. Whatever the fault, the user
// gets a normal answer or a clear GraphQL error code: never a hang, a 500 with a stack, or a crash.

/** REDIS_TIMEOUT_MS of every instance here: small, to keep the file fast. */
const TIMEOUT_MS = 400;
/** No call may wait past this, however loaded the machine: a few timeouts and a second. */
const CALL_BOUND_MS = 5 * TIMEOUT_MS + 1000;
/** How long an instance may take to find Redis again (it retries at least once a second) and catch up. */
const RECOVERY_MS = 5000;

const NEW_PASSWORD = 'N3w-Battery-Staple!';
const SIGN_OUT_LOG = 'cga:{signouts}:log';

let workDir: string;
let emulator: StandaloneEmulator;
let poolEnv: Record<string, string>;
const instances: Instance[] = [];
const redises: RedisServer[] = [];
/** What the faults cost, for the report at the end. */
const timings: string[] = [];

/** An instance on the pool (with `env` on top), killed in afterAll should a test leave it running. */
async function start(name: string, env: Record<string, string>): Promise<Instance> {
  const instance = await Instance.start(name, { ...poolEnv, ...env }, workDir);
  instances.push(instance);
  return instance;
}

/** Polls `check` until it answers something other than undefined; answers that and how long it took. */
async function within<T>(
  ms: number,
  what: string,
  check: () => Promise<T | undefined>,
): Promise<{ value: T; elapsedMs: number }> {
  const start = Date.now();
  /** The last error `check` threw, as text. */
  let last: string | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return { value, elapsedMs: Date.now() - start };
    } catch (error) {
      last = String(error);
    }
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms${last ? ` (${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Until `instance` has lost its connection to Redis (its log says so). It stays ready: it read the
 * sign-outs at start-up, and a Redis outage would otherwise take every instance out at once.
 */
const untilRedisDown = (instance: Instance, since = 0) =>
  within(RECOVERY_MS, `${instance.name} lost Redis`, async () =>
    instance.said(/Redis does not answer/, since).length > 0 ? true : undefined,
  );

/** Until `instance` refuses the session of `token` (a sign-out made elsewhere has reached it). */
const untilRefused = (instance: Instance, token: string, ms = RECOVERY_MS) =>
  within(ms, `${instance.name} refuses the session`, async () =>
    errorCodes(await instance.gql(ME, {}, token))[0] === 'UNAUTHENTICATED' ? true : undefined,
  );

const signUp = (via: Instance, username: string): Promise<SignedIn> =>
  signUpAndIn({ gql: (query, variables, token) => via.gql(query, variables, token), logger: emulator.codes }, username);

const redisEnv = (redis: RedisServer | string) => ({ REDIS_URL: typeof redis === 'string' ? redis : redis.url });

/** `me` answered for `user`: the session is honoured. */
async function expectServed(instance: Instance, user: SignedIn): Promise<void> {
  const me = await instance.gql(ME, {}, user.accessToken);
  expect({ on: instance.name, status: me.status, errors: me.errors, username: me.data?.me?.username }).toEqual({
    on: instance.name,
    status: 200,
    errors: undefined,
    username: user.username,
  });
}

/** A clear GraphQL error: HTTP 200, one error with `code`, no data, and no stack in the answer. */
function expectError(response: GraphQLResponse, code: string): void {
  expect(response.status).toBe(200);
  expect(errorCodes(response)).toEqual([code]);
  expect(response.data).toBeNull();
  expect(JSON.stringify(response.errors)).not.toMatch(/stacktrace|\n\s+at /);
}

async function expectRefused(instance: Instance, user: SignedIn): Promise<void> {
  expectError(await instance.gql(ME, {}, user.accessToken), 'UNAUTHENTICATED');
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await call();
  return { value, ms: performance.now() - start };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function newRedis(): Promise<RedisServer> {
  const redis = await startRedis();
  redises.push(redis);
  return redis;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'redis-faults-'));
  emulator = await StandaloneEmulator.start();
  const { userPoolId, clientId } = await emulator.createPool('redis-faults');
  poolEnv = {
    NODE_ENV: 'production',
    COGNITO_USER_POOL_ID: userPoolId,
    COGNITO_CLIENT_ID: clientId,
    COGNITO_ENDPOINT: emulator.endpoint,
    REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
    // Every call here comes from one address: the limits are set where they are tested.
    RATE_LIMIT_IP_MAX: '100000',
    RATE_LIMIT_ACCOUNT_FAILURES_MAX: '1000',
    RATE_LIMIT_ACCOUNT_SENDS_MAX: '1000',
  };
});

afterAll(async () => {
  // Whatever a failed test left: every process of ours, by its own handle.
  await Promise.all(instances.map((instance) => instance.kill()));
  await Promise.all(redises.map((redis) => redis.stop()));
  await emulator?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (timings.length > 0) console.log(`Redis fault timings:\n  ${timings.join('\n  ')}`);
});

describe('Redis unreachable when the server starts', () => {
  it('serves meanwhile, is not ready (redis down) and says so once; ready once Redis answers', async () => {
    // A port where nothing listens yet; Redis starts there later.
    const port = await freePort();
    const server = await start('A', redisEnv(`redis://127.0.0.1:${port}`));

    // register, confirm and authenticate (rate-limited, so counted in memory meanwhile), then `me`.
    const user = await signUp(server, 'unreachable-alice');
    for (let i = 0; i < 8; i++) await expectServed(server, user);
    for (let i = 0; i < 9; i++) expect(await server.ready()).toEqual({ status: 503, redis: 'down' });
    // Twenty requests, one line each for Redis and for the rate limits.
    expect(server.said(/^Redis does not answer/)).toHaveLength(1);
    expect(server.said(/Rate limits counted per instance/)).toHaveLength(1);

    const redis = await startRedis([], { port });
    redises.push(redis);
    const elapsedMs = await untilReady(server, RECOVERY_MS);
    timings.push(`unreachable at start: ready ${elapsedMs} ms after Redis started`);
    expect(await server.ready()).toEqual({ status: 200, redis: 'up' });
    expect(server.said(/^Redis answers again/)).toHaveLength(1);
    await expectServed(server, user);
    expect(server.trouble()).toEqual([]);
    expect(await server.stop()).toBe(0);
  });
});

describe('Redis dies while serving (SIGKILL)', () => {
  let redis: RedisServer;
  let a: Instance;
  /** RATE_LIMIT_IP_MAX=3: the per-instance fallback is tested there. */
  let limited: Instance;
  let alice: SignedIn;
  let signedOutBefore: SignedIn;
  let carol: SignedIn;
  let sinceA: number;
  let sinceL: number;

  beforeAll(async () => {
    redis = await newRedis();
    [a, limited] = await Promise.all([
      start('A', redisEnv(redis)),
      start('L', { ...redisEnv(redis), RATE_LIMIT_IP_MAX: '3' }),
    ]);
    await Promise.all([untilReady(a, RECOVERY_MS), untilReady(limited, RECOVERY_MS)]);
    [alice, signedOutBefore, carol] = await Promise.all(
      ['died-alice', 'died-bob', 'died-carol'].map((name) => signUp(a, name)),
    );
    expect((await a.gql(SIGN_OUT, {}, signedOutBefore.accessToken)).data).toEqual({ signOut: true });
    await untilRefused(limited, signedOutBefore.accessToken);

    [sinceA, sinceL] = [a.mark(), limited.mark()];
    await redis.kill();
    await Promise.all([untilRedisDown(a, sinceA), untilRedisDown(limited, sinceL)]);
    for (const instance of [a, limited]) expect(await instance.ready()).toEqual({ status: 200, redis: 'up' });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), limited?.stop()]);
  });

  it('`me` answers from what each instance holds; a session signed out before is still refused', async () => {
    for (const instance of [a, limited]) {
      await expectServed(instance, alice);
      await expectRefused(instance, signedOutBefore);
    }
  });

  it('signOut answers SERVICE_UNAVAILABLE, never a success other instances would not honour', async () => {
    expectError(await a.gql(SIGN_OUT, {}, alice.accessToken), 'SERVICE_UNAVAILABLE');
  });

  it('changePassword and deleteMe answer SERVICE_UNAVAILABLE before changing anything at Cognito', async () => {
    const input = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
    expectError(await a.gql(CHANGE_PASSWORD, { input }, carol.accessToken), 'SERVICE_UNAVAILABLE');
    expectError(await a.gql(DELETE_ME, {}, carol.accessToken), 'SERVICE_UNAVAILABLE');

    // The account is there, with its old password.
    const withOld = await a.gql(AUTHENTICATE, { input: { username: carol.username, password: PASSWORD } });
    expect(withOld.data.authenticate.__typename).toBe('AuthTokens');
    const withNew = await a.gql(AUTHENTICATE, { input: { username: carol.username, password: NEW_PASSWORD } });
    expectError(withNew, 'UNAUTHENTICATED');
    await expectServed(a, carol);
  });

  it('rate limits hold per instance, counted in memory, and the log says so once', async () => {
    const wrong = { input: { username: carol.username, password: 'Wr0ng-password!' } };
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(...errorCodes(await limited.gql(AUTHENTICATE, wrong)));
    expect(codes).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    ]);
    expect(limited.said(/Rate limits counted per instance, in memory/, sinceL)).toHaveLength(1);
  });

  it('records sign-outs again once a Redis answers on its address (an empty one)', async () => {
    await redis.restartEmpty();
    // (Not a signOut in a loop: one answered SERVICE_UNAVAILABLE already ends the session here.)
    const { elapsedMs } = await within(RECOVERY_MS, 'A reconnected', async () =>
      a.said(/^Redis answers again/, sinceA).length > 0 ? true : undefined,
    );
    expect((await a.gql(SIGN_OUT, {}, carol.accessToken)).data).toEqual({ signOut: true });
    timings.push(`died while serving: reconnected ${elapsedMs} ms after Redis restarted`);
    await untilRefused(limited, carol.accessToken);
    // Alice's sign-out was answered SERVICE_UNAVAILABLE while Redis was gone; A kept it and wrote
    // it once Redis was back: the other instance refuses her session too.
    await untilRefused(limited, alice.accessToken);
    // Down once, back once: no line per request or per attempt to reconnect.
    for (const [instance, since] of [
      [a, sinceA],
      [limited, sinceL],
    ] as const) {
      expect(instance.said(/^Redis (does not answer|answers again)/, since)).toEqual([
        expect.stringMatching(/^Redis does not answer \(.+\): shared state unavailable until it does$/),
        'Redis answers again',
      ]);
    }
    expect([...a.trouble(), ...limited.trouble()]).toEqual([]);
  });
});

describe('an instance cut off from Redis while another signs a session out', () => {
  let redis: RedisServer;
  let proxy: SlowProxy;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = await newRedis();
    proxy = new SlowProxy(redis.port);
    await proxy.start();
    // B reaches Redis only through the proxy, which can cut it off.
    [a, b] = await Promise.all([start('A', redisEnv(redis)), start('B', redisEnv(`redis://127.0.0.1:${proxy.port}`))]);
    await Promise.all([untilReady(a, RECOVERY_MS), untilReady(b, RECOVERY_MS)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.stop();
  });

  it('B honours the session meanwhile (it cannot know), and refuses it soon after it reaches Redis again', async () => {
    const alice = await signUp(a, 'cut-alice');
    await expectServed(b, alice);

    const since = b.mark();
    proxy.cut();
    await untilRedisDown(b, since);
    expect((await a.gql(SIGN_OUT, {}, alice.accessToken)).data).toEqual({ signOut: true });
    await expectRefused(a, alice);
    // B is cut off from where the sign-out is recorded: it cannot know of it yet. It stays ready
    // (every instance would be unready in a Redis outage); its log says it lost Redis.
    await expectServed(b, alice);
    expect(await b.ready()).toEqual({ status: 200, redis: 'up' });

    proxy.restore();
    const { elapsedMs } = await untilRefused(b, alice.accessToken);
    timings.push(`cut off: B refused the session ${elapsedMs} ms after its path to Redis was restored`);
    await untilReady(b, RECOVERY_MS);
    expect([...a.trouble(), ...b.trouble()]).toEqual([]);
  });
});

describe('Redis hangs (SIGSTOP)', () => {
  const FREEZE_MS = 3000;
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  let alice: SignedIn;
  let bob: SignedIn;
  let carol: SignedIn;
  let dave: SignedIn;

  beforeAll(async () => {
    redis = await newRedis();
    [a, b] = await Promise.all([start('A', redisEnv(redis)), start('B', redisEnv(redis))]);
    await Promise.all([untilReady(a, RECOVERY_MS), untilReady(b, RECOVERY_MS)]);
    [alice, bob, carol, dave] = await Promise.all(
      ['hung-alice', 'hung-bob', 'hung-carol', 'hung-dave'].map((name) => signUp(a, name)),
    );
  });
  afterAll(async () => {
    redis?.signal('SIGCONT');
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('while frozen: `me` keeps its pace; signOut and limited calls answer within the timeout', async () => {
    const before: number[] = [];
    for (let i = 0; i < 5; i++) before.push((await timed(() => expectServed(a, alice))).ms);

    const since = a.mark();
    const frozenAt = Date.now();
    redis.signal('SIGSTOP');
    try {
      // No Redis on the way of `me`: it does not wait for the timeout.
      const during: number[] = [];
      for (let i = 0; i < 5; i++) during.push((await timed(() => expectServed(a, alice))).ms);
      expect(median(during)).toBeLessThan(TIMEOUT_MS);

      const signOut = await timed(() => a.gql(SIGN_OUT, {}, bob.accessToken));
      expectError(signOut.value, 'SERVICE_UNAVAILABLE');
      expect(signOut.ms).toBeLessThan(CALL_BOUND_MS);

      // Counted in memory once Redis's answer is late: the wrong password is answered as such.
      const wrong = { input: { username: carol.username, password: 'Wr0ng-password!' } };
      const limitedCall = await timed(() => a.gql(AUTHENTICATE, wrong));
      expectError(limitedCall.value, 'UNAUTHENTICATED');
      expect(limitedCall.ms).toBeLessThan(CALL_BOUND_MS);
      expect(a.said(/Rate limits counted per instance, in memory/, since)).toHaveLength(1);

      // A sign-in makes three calls to Redis in a row (client, account, give-back on success): it
      // waits one timeout at most, not one per call (Redis is left alone a moment once it hangs).
      const right = { input: { username: carol.username, password: PASSWORD } };
      const signIn = await timed(() => a.gql(AUTHENTICATE, right));
      expect(signIn.value.data.authenticate.__typename).toBe('AuthTokens');
      expect(signIn.ms).toBeLessThan(2 * TIMEOUT_MS);

      // Refused before Cognito is asked: the connection looks up, but Redis does not answer.
      const input = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
      const change = await timed(() => a.gql(CHANGE_PASSWORD, { input }, dave.accessToken));
      expectError(change.value, 'SERVICE_UNAVAILABLE');
      expect(change.ms).toBeLessThan(CALL_BOUND_MS);

      const ms = (call: { ms: number }) => `${call.ms.toFixed(0)} ms`;
      timings.push(
        `frozen (REDIS_TIMEOUT_MS ${TIMEOUT_MS}): me median ${median(before).toFixed(0)} ms before, ` +
          `${median(during).toFixed(0)} ms during; signOut refused in ${ms(signOut)}, changePassword refused in ` +
          `${ms(change)}; wrong password answered in ${ms(limitedCall)}, right one in ${ms(signIn)}`,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, FREEZE_MS - (Date.now() - frozenAt))));
    } finally {
      redis.signal('SIGCONT');
    }
  });

  it('after SIGCONT, without a restart: signOut works again and reaches the other instance', async () => {
    expect((await a.gql(SIGN_OUT, {}, carol.accessToken)).data).toEqual({ signOut: true });
    const { elapsedMs } = await untilRefused(b, carol.accessToken);
    timings.push(`frozen: after SIGCONT, a sign-out on A reached B in ${elapsedMs} ms`);
    await Promise.all([untilReady(a, RECOVERY_MS), untilReady(b, RECOVERY_MS)]);
    await expectServed(b, alice);
    // The password change refused during the freeze changed nothing at Cognito.
    const withOld = await a.gql(AUTHENTICATE, { input: { username: dave.username, password: PASSWORD } });
    expect(withOld.data.authenticate.__typename).toBe('AuthTokens');
    expect([...a.trouble(), ...b.trouble()]).toEqual([]);
  });
});

describe('Redis restarted empty', () => {
  let redis: RedisServer;
  let a: Instance;
  let b: Instance;
  /** Started after the restart. */
  let c: Instance;
  let alice: SignedIn;
  let dave: SignedIn;

  beforeAll(async () => {
    redis = await newRedis();
    [a, b] = await Promise.all([start('A', redisEnv(redis)), start('B', redisEnv(redis))]);
    await Promise.all([untilReady(a, RECOVERY_MS), untilReady(b, RECOVERY_MS)]);
    [alice, dave] = await Promise.all(['empty-alice', 'empty-dave'].map((name) => signUp(a, name)));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  });

  it('the instances write back the sign-outs they hold; one started afterwards refuses them', async () => {
    expect((await a.gql(SIGN_OUT, {}, alice.accessToken)).data).toEqual({ signOut: true });
    await untilRefused(b, alice.accessToken);
    // The record names the user by a hash only.
    const record = shortHash(alice.username);
    const log = await redis.cli('XRANGE', SIGN_OUT_LOG, '-', '+');
    expect(log).toContain(record);
    expect(log).not.toContain(alice.username);

    await redis.restartEmpty();
    const { elapsedMs } = await within(RECOVERY_MS, 'the sign-out written back', async () => {
      if (Number(await redis.cli('XLEN', SIGN_OUT_LOG)) === 0) return undefined;
      return (await redis.cli('XRANGE', SIGN_OUT_LOG, '-', '+')).includes(record) ? true : undefined;
    });
    timings.push(`restarted empty: the sign-out was back in Redis ${elapsedMs} ms after the restart`);
    // Each instance writes back what it holds, and says so once (one may find the loss a moment after the other).
    for (const instance of [a, b]) {
      await within(RECOVERY_MS, `${instance.name} wrote back`, async () =>
        instance.said(/Redis had lost the sign-outs: wrote back/).length > 0 ? true : undefined,
      );
      expect(instance.said(/Redis had lost the sign-outs: wrote back/)).toHaveLength(1);
    }
    await Promise.all([untilReady(a, RECOVERY_MS), untilReady(b, RECOVERY_MS)]);

    // C knows only what Redis holds now, and reads it all before it reports ready.
    c = await start('C', redisEnv(redis));
    await untilReady(c, RECOVERY_MS);
    await expectRefused(c, alice);
    await expectServed(c, dave);
    expect([...a.trouble(), ...b.trouble(), ...c.trouble()]).toEqual([]);
  });

  it('a sign-out made after the restart reaches the other instances', async () => {
    expect((await b.gql(SIGN_OUT, {}, dave.accessToken)).data).toEqual({ signOut: true });
    await untilRefused(a, dave.accessToken);
    await untilRefused(c, dave.accessToken);
    expect(await c.stop()).toBe(0);
  });
});

describe('shutting down while Redis is down', () => {
  it.each([
    ['gone (killed)', (redis: RedisServer) => redis.kill()],
    ['frozen (SIGSTOP)', async (redis: RedisServer) => redis.signal('SIGSTOP')],
  ])('SIGTERM exits 0 promptly with Redis %s', async (state, fault) => {
    const redis = await newRedis();
    const server = await start('S', { ...redisEnv(redis), SHUTDOWN_TIMEOUT_MS: '8000' });
    await untilReady(server, RECOVERY_MS);
    try {
      await fault(redis);
      const { value: code, ms } = await timed(() => server.stop());
      timings.push(`shutdown with Redis ${state}: exited ${code} in ${ms.toFixed(0)} ms`);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(CALL_BOUND_MS);
      expect(server.trouble()).toEqual([]);
    } finally {
      redis.signal('SIGCONT');
    }
  });
});
