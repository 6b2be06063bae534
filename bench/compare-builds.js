#!/usr/bin/env node
'use strict';
// Two builds of the server side by side in one run: `me { id username groups }` with one valid token,
// rounds alternating A B, B A, …, and the median req/s and server CPU per request of each. For a
// change whose cost is smaller than the drift between separate runs of bench.js.
// Run: node bench/compare-builds.js <dirA> <dirB>   (each a copy of dist/ inside this project, so
// that node_modules resolve: e.g. `cp -r dist dist-before`, change, `npm run build`, then
// `node bench/compare-builds.js dist-before dist`). COMPARE_ROUNDS (6), COMPARE_SECONDS (5).
// COMPARE_REDIS=B (or A): that side runs with REDIS_URL of a throwaway redis-server, e.g.
// `COMPARE_REDIS=B node bench/compare-builds.js dist dist` for one build in memory and Redis mode.
// COMPARE_SIGN_INS=N (0): then, in rounds alternating as well, the server CPU of one `authenticate`
// over `{ __typename }` (bench/lib/sign-in.js), N sign-ins a round: for a change on the sign-in path.

const autocannon = require('autocannon');
const { resolve } = require('node:path');
const { cpuMs } = require('./lib/proc');
const { signInCpu } = require('./lib/sign-in');
const { productionEnv, startServer } = require('./lib/server');
const { startRedis } = require('./lib/redis-server');

const ROUNDS = Number(process.env.COMPARE_ROUNDS ?? 6);
const SECONDS = Number(process.env.COMPARE_SECONDS ?? 5);
const SIGN_INS = Number(process.env.COMPARE_SIGN_INS ?? 0);
const ME = JSON.stringify({ query: '{ me { id username groups } }' });
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const dirs = process.argv.slice(2, 4);
  if (dirs.length !== 2) throw new Error('usage: node bench/compare-builds.js <dirA> <dirB>');
  const identityProvider = await startServer();
  const token = await identityProvider.signUp('compare');
  const redis = process.env.COMPARE_REDIS ? await startRedis() : undefined;
  const servers = [];
  try {
    for (const [i, dir] of dirs.entries()) {
      const inRedis = redis && process.env.COMPARE_REDIS === 'AB'[i];
      const env = { ...productionEnv(token), RATE_LIMIT_IP_MAX: '1000000', ...(inRedis && { REDIS_URL: redis.url }) };
      const name = `${dir}${inRedis ? ' (REDIS_URL)' : ''}`;
      servers.push({ dir: name, server: await startServer(env, resolve(dir, 'main.js')), rows: [], signIns: [] });
    }
    // Round 0 warms both up and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const entry of round % 2 ? servers : [...servers].reverse()) {
        const before = cpuMs(entry.server.pid);
        const result = await autocannon({
          url: entry.server.url,
          method: 'POST',
          connections: 50,
          duration: SECONDS,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: ME,
        });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${entry.dir}: ${result.non2xx} non-2xx`);
        const cpuUs = ((cpuMs(entry.server.pid) - before) * 1000) / result.requests.total;
        if (round > 0) entry.rows.push({ reqPerSec: result.requests.average, cpuUs });
      }
    }
    for (let round = 1; SIGN_INS > 0 && round <= ROUNDS; round++) {
      for (const entry of round % 2 ? servers : [...servers].reverse()) {
        entry.signIns.push((await signInCpu(entry.server, 'compare', SIGN_INS)).overBaselineMs);
      }
    }
  } finally {
    for (const { server } of servers) await server.stop();
    await identityProvider.stop();
    await redis?.stop();
  }
  const [a, b] = servers.map(({ dir, rows, signIns }) => ({
    dir,
    reqPerSec: median(rows.map((r) => r.reqPerSec)),
    cpuUs: median(rows.map((r) => r.cpuUs)),
    signInMs: SIGN_INS > 0 ? median(signIns) : undefined,
  }));
  for (const { dir, reqPerSec, cpuUs } of [a, b]) {
    console.log(`${dir}: median ${Math.round(reqPerSec)} req/s, ${Math.round(cpuUs)} µs server CPU per request`);
  }
  console.log(
    `${b.dir} / ${a.dir}: req/s ${(b.reqPerSec / a.reqPerSec).toFixed(2)}, CPU ${(b.cpuUs / a.cpuUs).toFixed(2)}`,
  );
  if (SIGN_INS > 0) {
    for (const { dir, signInMs } of [a, b])
      console.log(`${dir}: median ${signInMs.toFixed(2)} ms server CPU per sign-in`);
    console.log(`${b.dir} / ${a.dir}: sign-in CPU ${(b.signInMs / a.signInMs).toFixed(2)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
