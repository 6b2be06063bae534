import { AUTHENTICATE, signUpAndIn } from '../support/flows';
import { postGraphQL, startTestServer, TestServer } from '../support/test-server';
import { recordFigure } from './figures';

// A wrong password and an unknown user must look the same: same answer, and no time difference
// larger than the noise of either path measured against itself.
describe('no account enumeration by sign-in', () => {
  let server: TestServer;
  const ROUNDS = 40;

  beforeAll(async () => {
    server = await startTestServer();
    await signUpAndIn(server, 'timing-known');
  });
  afterAll(async () => {
    await server?.close();
  });

  const attempt = async (username: string) => {
    const started = process.hrtime.bigint();
    const response = await postGraphQL(server.url, {
      query: AUTHENTICATE,
      variables: { input: { username, password: 'Wr0ng-pass!' } },
    });
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, error: response.errors?.[0] };
  };
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
  };

  it('answers both with the same code and message', async () => {
    const known = await attempt('timing-known');
    const unknown = await attempt('timing-unknown-0');
    expect(unknown.error).toEqual(known.error);
  });

  it('takes as long for both: the difference of medians is within the noise of one path run twice', async () => {
    for (let i = 0; i < 10; i++) await Promise.all([attempt('timing-known'), attempt(`warm-${i}`)]);
    const known: number[][] = [[], []];
    const unknown: number[][] = [[], []];
    // Interleaved, so that drifts of the machine touch both paths alike.
    for (let i = 0; i < ROUNDS; i++) {
      const half = i < ROUNDS / 2 ? 0 : 1;
      known[half].push((await attempt('timing-known')).ms);
      unknown[half].push((await attempt(`timing-unknown-${i}`)).ms);
    }
    const noise = Math.max(
      Math.abs(median(known[0]) - median(known[1])),
      Math.abs(median(unknown[0]) - median(unknown[1])),
    );
    const difference = Math.abs(median(known.flat()) - median(unknown.flat()));
    recordFigure('signInTiming', {
      rounds: ROUNDS,
      knownMedianMs: median(known.flat()),
      unknownMedianMs: median(unknown.flat()),
      noiseMs: noise,
      differenceMs: difference,
    });
    // The noise of a fast path can be near zero; the resolution of one round trip bounds it below.
    expect(difference).toBeLessThanOrEqual(Math.max(noise, median(known.flat()) * 0.1));
  });
});
