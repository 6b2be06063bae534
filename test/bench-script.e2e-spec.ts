import { join } from 'node:path';
import { runScript } from './support/run-script';

// npm run bench is not part of npm test; this runs it for a moment so that it cannot rot. No figure
// is asserted: the script itself fails on any non-2xx answer or error under load, and when a
// signed-out token still answers on another instance after 5 s.
it('the benchmark script runs every scenario and prints its tables', async () => {
  const output = await runScript(
    join(__dirname, '..', 'bench', 'bench.js'),
    {
      BENCH_SECONDS: '1',
      BENCH_ROUNDS: '1',
      BENCH_TOKENS: '5',
      BENCH_CONNECTIONS: '8',
      BENCH_PACED_RATE: '50',
      BENCH_SIGN_IN_RATE: '5',
      BENCH_SIGN_INS: '5',
      BENCH_STARTS: '1',
      BENCH_SIGN_OUTS: '5',
      BENCH_WRITE_RESULTS: '0',
    },
    150_000,
  );
  const scenarios = [
    'reference',
    'unauthenticated',
    'meOneToken',
    'meOneTokenBesideRedis',
    'meOneTokenRedis',
    'meRotatingTokens',
    'mePaced',
    'mePacedDuringSignIns',
  ];
  for (const scenario of scenarios) expect(output).toMatch(new RegExp(`\\| ${scenario} \\| \\d+ \\|`));
  expect(output).toMatch(/\| ours \| \d+ \| \d+ \|/);
  expect(output).toMatch(/\| meOneToken \/ unauthenticated, req\/s \| [\d.]+ \| ≥ 0\.97 \| (yes|no) \|/);
  // Issue 13: `me` with REDIS_URL against memory mode, and sign-outs through three instances on one Redis.
  expect(output).toMatch(
    /\| meOneTokenRedis \/ meOneTokenBesideRedis \(loaded together\), req\/s \| [\d.]+ \| ≥ 0\.95 \| (yes|no) \|/,
  );
  expect(output).toMatch(
    /\| meOneTokenRedis \/ meOneTokenBesideRedis \(loaded together\), server CPU per request \| [\d.]+ \| ≤ 1\.05 \| (yes|no) \|/,
  );
  expect(output).toMatch(
    /\| sign-outs \| p50 ms \| p99 ms \| max ms \|\n\|(---\|){4}\n\| 5 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/,
  );
  expect(output).toMatch(
    /\| sign-out on A until B and C refuse the token, p99 over 5, ms \| [\d.]+ \| ≤ 50 \| (yes|no) \|/,
  );
  expect(output).toMatch(/\| process start to first answered `me`, pool configured, ms \| [\d.]+ \|/);
}, 180_000);
