import { recordFigure } from './figures';
import { StandaloneEmulator } from '../support/standalone-emulator';
import { postGraphQL, startTestServer, TestServer } from '../support/test-server';

// Error messages quote client text (a syntax error its token, an unknown operation its name), and
// the formatter rewrites them: that must cost time in proportion to the text, and echo little of it.

/** Just under the 64 KB body limit, as JSON. */
const TEXT_CHARS = 64000;
const TRIES = 15;
/**
 * A request that costs what its same-size control does measures about 1 (0.6 to 1.4 with other
 * tests running); on 921f6c3 these requests cost 30 to 100 times their control (150-220 ms
 * against 2-5 ms).
 */
const MAX_RATIO = 10;

const repeated = (phrase: string) => phrase.repeat(Math.floor(TEXT_CHARS / phrase.length));

/** Phrases a rewrite of the message looks for, repeated so that a rescan at each one is quadratic. */
const PHRASES = { suggestion: "' Did you mean '", value: ' cannot represent ' };

/** Where the text lands in a message: a syntax error's token, a refused argument, an unknown operation's name. */
const PLACES = {
  token: (text: string) => ({ body: { query: `{ me "${text}" }` }, code: 'GRAPHQL_PARSE_FAILED' }),
  argument: (text: string) => ({
    body: { query: `mutation { authenticate(input: "${text}") { __typename } }` },
    code: 'GRAPHQL_VALIDATION_FAILED',
  }),
  operationName: (text: string) => ({
    body: { query: '{ __typename }', operationName: text },
    code: 'OPERATION_RESOLUTION_FAILURE',
  }),
};

/** Milliseconds one request takes, answer read. */
async function timeMs(url: string, body: unknown): Promise<number> {
  const started = performance.now();
  await postGraphQL(url, body);
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The median time of each of two requests, sent in turns so that a busy moment falls on both. */
async function medianTimes(url: string, first: unknown, second: unknown): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < TRIES; i++) {
    times[0].push(await timeMs(url, first));
    times[1].push(await timeMs(url, second));
  }
  return [median(times[0]), median(times[1])];
}

describe.each([
  ['development', false],
  ['production', true],
])('error messages quoting client text, in %s', (mode, production) => {
  let emulator: StandaloneEmulator | undefined;
  let server: TestServer;

  beforeAll(async () => {
    if (production) {
      emulator = await StandaloneEmulator.start();
      const { userPoolId, clientId } = await emulator.createPool('error-messages');
      server = await startTestServer({
        NODE_ENV: 'production',
        COGNITO_USER_POOL_ID: userPoolId,
        COGNITO_CLIENT_ID: clientId,
        COGNITO_ENDPOINT: emulator.endpoint,
      });
    } else {
      server = await startTestServer();
    }
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.stop();
  });

  const cases = Object.entries(PLACES).flatMap(([place, at]) =>
    Object.entries(PHRASES).map(([phrase, text]) => [place, phrase, at, text] as const),
  );

  it.each(cases)('%s: repeated %s phrases cost what any 64 KB text does', async (place, phrase, at, text) => {
    const hostile = at(repeated(text));
    const control = at(repeated('x'));
    const answer = await postGraphQL(server.url, hostile.body);
    expect(answer.status).toBe(400);
    expect(new Set(answer.errors!.map((e) => e.extensions.code))).toEqual(new Set([hostile.code]));

    await timeMs(server.url, control.body); // warm-up
    const [controlMs, hostileMs] = await medianTimes(server.url, control.body, hostile.body);
    const ratio = hostileMs / controlMs;
    recordFigure(`error-message-cost-${mode}-${place}-${phrase}`, { controlMs, hostileMs, ratio });
    expect(ratio).toBeLessThan(MAX_RATIO);
    // The client's text is quoted, but not all 64 KB of it.
    for (const error of answer.errors!) expect(error.message.length).toBeLessThan(1100);
  });
});
