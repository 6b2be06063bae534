import { join } from 'node:path';
import { runScript } from './support/run-script';

// npm run bench is not part of npm test; this runs it for a moment so that it cannot rot. No figure
// is asserted: the script itself fails on any non-2xx answer or error under load.
it('the benchmark script runs every scenario and prints its table', async () => {
  const output = await runScript(
    join(__dirname, '..', 'bench', 'bench.js'),
    { BENCH_SECONDS: '1', BENCH_ROUNDS: '1', BENCH_TOKENS: '5', BENCH_CONNECTIONS: '8', BENCH_WRITE_RESULTS: '0' },
    90_000,
  );
  for (const scenario of ['reference', 'unauthenticated', 'meOneToken', 'meRotatingTokens']) {
    expect(output).toMatch(new RegExp(`\\| ${scenario} \\| \\d+ \\|`));
  }
  expect(output).toMatch(/\| meOneTokenToUnauthenticated \| [\d.]+ \|/);
}, 120_000);
