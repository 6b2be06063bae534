#!/usr/bin/env node
'use strict';
// Where the server's CPU goes under `me { id username groups }` load with one valid token: runs the built
// server (dist/main.js, in production mode) under node --cpu-prof, loads it, stops it with SIGTERM (V8
// writes the profile only on a normal exit), and prints self time per function and per package over the
// load window alone. Writes the summary as JSON, and the raw .cpuprofile for Chrome DevTools, under
// bench/results/ (git-ignored) unless PROFILE_WRITE_RESULTS=0.
// Run: node bench/profile.js   (needs a current dist/: npm run build)
// PROFILE_REDIS=1: the server runs with REDIS_URL set, on a throwaway redis-server (issue 13).

const autocannon = require('autocannon');
const { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join } = require('node:path');
const { summariseProfile, formatSummary } = require('./lib/cpu-profile');
const { startRedis } = require('./lib/redis-server');
const { productionEnv, startServer } = require('./lib/server');

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.PROFILE_WARMUP_SECONDS ?? 2);
const REDIS = process.env.PROFILE_REDIS === '1';
const CONNECTIONS = 50;
const ME = JSON.stringify({ query: '{ me { id username groups } }' });
// The profile's timestamps and process.hrtime read the same monotonic clock (Linux), in µs there.
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function main() {
  const profileDir = mkdtempSync(join(tmpdir(), 'cpu-prof-'));
  // As in bench.js: the server runs as in production, on the pool of a first server's emulator, and
  // the load comes from one address far faster than a person, so the rate limits are lifted.
  const identityProvider = await startServer();
  const token = await identityProvider.signUp('bench');
  const redis = REDIS ? await startRedis() : undefined;
  const server = await startServer(
    {
      ...productionEnv(token),
      RATE_LIMIT_IP_MAX: '1000000',
      RATE_LIMIT_ACCOUNT_FAILURES_MAX: '1000000',
      ...(redis && { REDIS_URL: redis.url }),
    },
    undefined,
    ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  );
  let from, to, reqPerSec;
  try {
    await server.ready();
    const load = (duration) =>
      autocannon({
        url: server.url,
        method: 'POST',
        connections: CONNECTIONS,
        duration,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: ME,
      });
    // Warm-up: the JIT settles and the token is verified once, so the window shows the steady state.
    await load(WARMUP_SECONDS);
    from = nowUs();
    const result = await load(SECONDS);
    to = nowUs();
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    reqPerSec = Math.round(result.requests.average);
  } finally {
    await server.stop();
    await redis?.stop();
    await identityProvider.stop();
  }

  // The emulator child is forked without our flags, but name the server's own profile by its pid anyway.
  const file = readdirSync(profileDir).find((name) => name.includes(`.${server.pid}.`));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}: the server did not exit normally`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
  if (from < profile.startTime || to > profile.endTime) throw new Error('the load window is outside the profile');
  const summary = summariseProfile(profile, { root: join(__dirname, '..'), from, to });

  const machine = `${cpus().length} × ${cpus()[0].model}, node ${process.version}`;
  console.log(
    `${machine}; ${REDIS ? 'REDIS_URL set; ' : ''}${SECONDS} s at ${CONNECTIONS} connections, ${reqPerSec} req/s`,
  );
  console.log(`${summary.samples} non-idle samples (${summary.idleSamples} idle) in ${summary.windowMs} ms\n`);
  console.log(formatSummary(summary));
  if (process.env.PROFILE_WRITE_RESULTS !== '0') {
    const results = join(__dirname, 'results');
    const stamp = `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    mkdirSync(results, { recursive: true });
    const settings = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, redis: REDIS };
    // The window in the profile's clock, to look again at the same samples of the saved .cpuprofile.
    const window = { fromUs: from, toUs: to };
    writeFileSync(
      join(results, `${stamp}.json`),
      JSON.stringify({ machine, settings, reqPerSec, window, ...summary }, null, 2),
    );
    copyFileSync(join(profileDir, file), join(results, `${stamp}.cpuprofile`));
    console.log(`\nWritten: bench/results/${stamp}.json and .cpuprofile`);
  }
  rmSync(profileDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
