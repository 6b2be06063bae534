import { recordFigure } from './figures';
import { StandaloneEmulator } from '../support/standalone-emulator';
import { postGraphQL, startTestServer, TestServer } from '../support/test-server';

// Error messages quote client text (a syntax error its token, an unknown operation its name), and
// the formatter rewrites them: that must cost time in proportion to the text, and echo little of it.

/** Just under the 64 KB body limit, as JSON. */
const TEXT_CHARS = 64000;
const TRIES = 7;
/**
 * A request that costs as much as its same-size control passes easily (measured ratio about 1);
 * on 921f6c3 these requests cost 60 to 100 times their control (150-220 ms against 2-3 ms).
 */
const MAX_RATIO = 8;

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

/** Median of `tries` timings of one request. */
async function medianMs(url: string, body: unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < TRIES; i++) {
    const started = performance.now();
    await postGraphQL(url, body);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(TRIES / 2)];
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

    await medianMs(server.url, control.body); // warm-up
    const ratios: number[] = [];
    let controlMs = 0;
    let hostileMs = 0;
    // Interleaved, so that a busy moment of the machine falls on both.
    for (let round = 0; round < 3; round++) {
      controlMs = await medianMs(server.url, control.body);
      hostileMs = await medianMs(server.url, hostile.body);
      ratios.push(hostileMs / controlMs);
    }
    const ratio = ratios.sort((a, b) => a - b)[1];
    recordFigure(`error-message-cost-${mode}-${place}-${phrase}`, { controlMs, hostileMs, ratio });
    expect(ratio).toBeLessThan(MAX_RATIO);
    // The client's text is quoted, but not all 64 KB of it.
    for (const error of answer.errors!) expect(error.message.length).toBeLessThan(1100);
  });
});
