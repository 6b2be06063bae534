import { join } from 'node:path';
import { runScript } from '../support/run-script';

// The 60-second soak (npm run soak) is not part of npm test; this runs it for a few seconds so
// that it cannot rot. No figure is asserted here (memory is not judged on a 3-second run): the
// script itself fails on any 5xx or wrong answer.
it('the soak script runs and finds no 5xx and no wrong answer', async () => {
  const output = await runScript(
    join(__dirname, '..', '..', 'bench', 'soak.js'),
    {
      SOAK_SECONDS: '3',
      SOAK_WARMUP_SECONDS: '1',
      SOAK_CONCURRENCY: '8',
      SOAK_MAX_RSS_GROWTH: '10',
      SOAK_WRITE_RESULTS: '0',
    },
    60_000,
  );
  expect(output).toMatch(/\| serverErrors \| 0 \|/);
  expect(output).toMatch(/\| wrongAnswers \| 0 \|/);
});
