import { AUTHENTICATE, signUpAndIn } from '../support/flows';
import { postGraphQL, startTestServer, TestServer } from '../support/test-server';
import { recordFigure } from './figures';

// A wrong password and an unknown user must look the same: same answer, and no time difference
// larger than the noise of either path measured against itself.
describe('no account enumeration by sign-in', () => {
  let server: TestServer;
  const ROUNDS = 60;

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

  it('takes as long for both: the difference of medians is within the noise of either path', async () => {
    // One unknown name, as one known name: both paths then touch the same rate-limit entries.
    for (let i = 0; i < 10; i++) await Promise.all([attempt('timing-known'), attempt('timing-unknown')]);
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so that drifts of the machine (other tests run beside this one) touch both alike.
    for (let i = 0; i < ROUNDS; i++) {
      known.push((await attempt('timing-known')).ms);
      unknown.push((await attempt('timing-unknown')).ms);
    }
    // The noise of a median: its standard error from the spread (MAD) of the same path's samples.
    // Two runs of one path differ by more than 3 of these only 0.3% of the time.
    const noise = 3 * Math.hypot(medianError(known), medianError(unknown));
    const difference = Math.abs(median(known) - median(unknown));
    recordFigure('signInTiming', {
      rounds: ROUNDS,
      knownMedianMs: median(known),
      unknownMedianMs: median(unknown),
      noiseMs: noise,
      differenceMs: difference,
    });
    expect(difference).toBeLessThanOrEqual(noise);
  });

  function medianError(samples: number[]): number {
    const center = median(samples);
    const sigma = 1.4826 * median(samples.map((x) => Math.abs(x - center)));
    return (1.2533 * sigma) / Math.sqrt(samples.length);
  }
});
