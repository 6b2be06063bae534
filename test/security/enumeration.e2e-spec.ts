import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { AUTHENTICATE, FORGOT_PASSWORD, signUpAndIn } from '../support/flows';
import { FakeCognito } from '../support/fake-cognito';
import { FakePool, startOnFakePool } from '../support/fake-pool';
import { startTestServer, TestServer } from '../support/test-server';
import { recordFigure } from './figures';

// No account enumeration by sign-in or by a password reset: a known and an unknown user must get
// the same answer, and our process must do the same for both, so that no clock tells them apart.
//
// How it is measured, and why so. The test before compared wall-clock medians with a margin taken
// from their spread: it flaked (a busy machine moves one median more than the other) and let leaks
// through (the margin grows with the noise: at 3 ms of jitter a 1–2 ms leak hid inside it). Now:
// 1. What our process does for each request, counted exactly: the answer, the Cognito calls it
//    made (the SDK's `send`, spied on in this process) and the log lines written from the request
//    to its own request line (written once the answer is sent). These must be equal, however slow
//    the machine. (This caught the emulator's code line, written before a known user's answer.)
// 2. The CPU time of this process per request (process.cpuUsage; server and client both run here,
//    the client's share is the same for both). A busy machine barely moves it, since waiting for
//    a core is not CPU time, and a leak of ours is work, which shows here.
// 3. Wall-clock time against a Cognito that answers both users at the same speed (the fake), so
//    that what is left is ours: the SDK's error and success paths, our mapping, our logging.
// 2 and 3 are paired sign tests: PAIRS pairs of requests, one per user, in random order within
// each pair. Counted: the pairs where the known user's request cost more than the unknown's by
// over a tolerance (TOLERANCE_MS), and the other way round. If the true difference is within the
// tolerance, each count is at most Binomial(n, 1/2), which exceeds n/2 + 2·√n (185 of 300: four
// standard deviations) in 3 of 100,000 runs whatever the noise, since noise touches both requests
// of a pair alike: the bound does not grow with the noise (eight such comparisons here: 1 run in
// 4,000 could fail by chance). A leak of 1 ms of CPU on one path put 222 of 300 pairs over the
// tolerance, 2 ms of waiting 271. The wall-clock test loses power as the machine gets noisier (it
// then passes), never its false-alarm rate; the CPU test keeps its power.
//
// The embedded emulator itself is not ours, and not equal: cognito-local writes its database and
// "sends" a code only for a user who exists (forgotPassword, called directly, answered a known
// user 0.63 ms later; through our server the difference was the same). So wall-clock time is
// compared against the fake only; SECURITY.md lists this among the emulator's caveats.
const PAIRS = 300;
/**
 * Differences the tests let pass (the effect size below which a sign test cannot fail but by
 * chance). Our process does spend a little more on one path than the other: the SDK's error
 * path costs about 70 µs more CPU than its success path (measured alone, 2,000 calls each), and
 * wall-clock medians of our server against the fake were 0.15–0.18 ms apart on a quiet machine.
 * On a machine made busy (two spinning processes on two cores), CPU contention stretched that
 * wall-clock difference to about 1 ms in medians: the wall-clock tolerance is set above what
 * such stretching of a tiny difference gives, and the CPU one, which contention does not
 * stretch, tighter.
 */
const TOLERANCE_MS = { cpuMs: 0.5, wallMs: 0.75 };
/** Rounds of the exact comparison, each followed by a pause so that nothing late of one request lands in the next. */
const EXACT_ROUNDS = 5;
const PAUSE_MS = 100;
/** 600 requests take 5–10 s on a quiet machine and took 22 s on a busy one: room to spare. */
const SIGN_TEST_TIMEOUT_MS = 120_000;

interface Cost {
  wallMs: number;
  cpuMs: number;
  calls: string[];
  logLines: number;
  answer: string;
}

type Request = { query: string; variables: Record<string, unknown> };

const signIn = (username: string): Request => ({
  query: AUTHENTICATE,
  variables: { input: { username, password: 'Wr0ng-pass!' } },
});
const forgot = (username: string): Request => ({ query: FORGOT_PASSWORD, variables: { input: { username } } });

const sdkCalls: string[] = [];
let sdkSend: jest.SpyInstance;
beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the original, called below with the client as `this`
  const send = CognitoIdentityProviderClient.prototype.send;
  sdkSend = jest.spyOn(CognitoIdentityProviderClient.prototype, 'send').mockImplementation(function (
    this: CognitoIdentityProviderClient,
    command: { constructor: { name: string } },
    ...rest: unknown[]
  ) {
    sdkCalls.push(command.constructor.name);
    return (send as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as never);
});
afterAll(() => sdkSend.mockRestore());

/**
 * One request, and what it cost this process. Log lines are counted from the request up to its
 * own request line (written once the answer is sent), so a line written later is not counted
 * however slow the machine, and one written before the answer always is.
 */
async function cost(server: TestServer, request: Request): Promise<Cost> {
  const [calls, lines] = [sdkCalls.length, server.logger.lines.length];
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const answer = await response.text();
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const { user, system } = process.cpuUsage(cpu);
  return {
    wallMs,
    cpuMs: (user + system) / 1000,
    calls: sdkCalls.slice(calls),
    logLines: await linesBeforeAnswer(server, lines, response.headers.get('x-request-id') ?? ''),
    answer: `${response.status} ${answer}`,
  };
}

async function linesBeforeAnswer(server: TestServer, from: number, requestId: string): Promise<number> {
  const own = `"reqId":"${requestId}"`;
  for (let waited = 0; waited < 5000; waited += 5) {
    const at = server.logger.lines.findIndex((line, i) => i >= from && line.includes(own));
    if (at >= 0) return at - from;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no request line for ${requestId}`);
}

/** PAIRS pairs of requests, the two of each pair in random order. */
async function pairs(server: TestServer, known: () => Request, unknown: () => Request) {
  for (let i = 0; i < 20; i++) await cost(server, i % 2 ? known() : unknown()); // warm-up
  const result: { known: Cost; unknown: Cost }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    if (Math.random() < 0.5) {
      const k = await cost(server, known());
      result.push({ known: k, unknown: await cost(server, unknown()) });
    } else {
      const u = await cost(server, unknown());
      result.push({ unknown: u, known: await cost(server, known()) });
    }
  }
  return result;
}

/**
 * The paired sign test, one-sided each way: in how many pairs did one user's request cost more
 * than the other's by over TOLERANCE_MS. If the true difference is within the tolerance, each
 * count stays at or below n/2 + 2·√n but for 3 runs in 100,000, at any level of noise.
 */
function signTest(samples: { known: Cost; unknown: Cost }[], measure: 'cpuMs' | 'wallMs') {
  const n = samples.length;
  const beyond = (a: 'known' | 'unknown', b: 'known' | 'unknown') =>
    samples.filter((s) => s[a][measure] - s[b][measure] > TOLERANCE_MS[measure]).length;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  return {
    pairs: n,
    knownCostlier: beyond('known', 'unknown'),
    unknownCostlier: beyond('unknown', 'known'),
    bound: n / 2 + 2 * Math.sqrt(n),
    toleranceMs: TOLERANCE_MS[measure],
    knownMedianMs: median(samples.map((s) => s.known[measure])),
    unknownMedianMs: median(samples.map((s) => s.unknown[measure])),
  };
}

/** The same answer, Cognito calls and log lines for both, with pauses so that nothing late spills over. */
async function expectSameWork(server: TestServer, known: Request, unknown: Request): Promise<void> {
  for (let i = 0; i < EXACT_ROUNDS; i++) {
    const k = await cost(server, known);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const u = await cost(server, unknown);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    expect({ answer: u.answer, calls: u.calls, logLines: u.logLines }).toEqual({
      answer: k.answer,
      calls: k.calls,
      logLines: k.logLines,
    });
  }
}

describe('no account enumeration: the same answer and the same work for a known and an unknown user', () => {
  describe('against the embedded emulator', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer();
      await signUpAndIn(server, 'timing-known');
    });
    afterAll(async () => {
      await server?.close();
    });

    it('sign-in with a wrong password: same answer, same Cognito calls, same log lines', async () => {
      await expectSameWork(server, signIn('timing-known'), signIn('timing-unknown'));
    });

    it('forgotPassword: same answer, same Cognito calls, same log lines before the answer', async () => {
      await expectSameWork(server, forgot('timing-known'), forgot('timing-unknown'));
    });

    it.each([
      ['sign-in', signIn],
      ['forgotPassword', forgot],
    ])(
      '%s: the same CPU time of this process (paired sign test)',
      async (name, request) => {
        // One unknown name, as one known name: both then touch the same rate-limit entries.
        const samples = await pairs(
          server,
          () => request('timing-known'),
          () => request('timing-unknown'),
        );
        const test = signTest(samples, 'cpuMs');
        recordFigure(`enumeration-cpu-${name}`, test);
        expect(Math.max(test.knownCostlier, test.unknownCostlier)).toBeLessThanOrEqual(test.bound);
      },
      SIGN_TEST_TIMEOUT_MS,
    );
  });

  describe('against a Cognito that answers both alike (the fake): wall-clock time is ours alone', () => {
    let fake: FakeCognito;
    let server: TestServer;

    let pool: FakePool | undefined;
    beforeAll(async () => {
      pool = await startOnFakePool({ pool: 'local_enum', clientId: 'enum-client' });
      ({ fake, server } = pool);
    });
    afterAll(() => pool?.close());
    beforeEach(() => fake.reset());

    /** Cognito's answers for a known and an unknown user, as AWS gives them. */
    const cases = [
      {
        name: 'sign-in',
        request: signIn,
        known: () => fake.error('InitiateAuth', 'NotAuthorizedException', 'Incorrect username or password.'),
        unknown: () => fake.error('InitiateAuth', 'UserNotFoundException', 'User does not exist.'),
      },
      {
        name: 'forgotPassword',
        request: forgot,
        known: () =>
          fake.reply('ForgotPassword', {
            status: 200,
            body: {
              CodeDeliveryDetails: { Destination: 't***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
            },
          }),
        unknown: () =>
          fake.error('ForgotPassword', 'UserNotFoundException', 'Username/client id combination not found.'),
      },
    ];

    it.each(cases)(
      '$name: the same wall-clock time (paired sign test)',
      async ({ name, request, known, unknown }) => {
        const samples = await pairs(
          server,
          () => (known(), request('timing-known')),
          () => (unknown(), request('timing-unknown')),
        );
        expect(samples[0].known.answer).toBe(samples[0].unknown.answer);
        const test = signTest(samples, 'wallMs');
        recordFigure(`enumeration-wall-${name}`, test);
        expect(Math.max(test.knownCostlier, test.unknownCostlier)).toBeLessThanOrEqual(test.bound);
      },
      SIGN_TEST_TIMEOUT_MS,
    );
  });
});
