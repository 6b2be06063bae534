#!/usr/bin/env node
'use strict';
// npm run bench: in one run, interleaved (A B A B …, ROUNDS rounds, medians), the req/s and
// latency of
//   - the bare Fastify + Apollo reference (bench/reference-server.js), `me` with no auth,
//   - our server answering `{ baselineMe { id username groups } }`: the same shape, no auth
//     (bench/server-with-baseline.js adds that one query),
//   - our `me { id username groups }` with one valid token,
//   - our `me` with a rotating set of TOKENS tokens (each first use takes the full verification),
// and the resident memory of each server at the end. Prints one table with the ratios, and
// writes it as JSON under bench/results/ (git-ignored).

const autocannon = require('autocannon');
const { spawn } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join } = require('node:path');
const { startServer } = require('./lib/server');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 1000);
const ME = JSON.stringify({ query: '{ me { id username groups } }' });

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function startReference() {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [join(__dirname, 'reference-server.js')], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
    child.once('exit', () => reject(new Error('the reference server exited')));
  });
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}/graphql`,
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))),
  };
}

/** Rotating tokens: each connection walks a list of ready-made requests, one per token. */
function load(url, { body, tokens, authorization }) {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body,
    requests: tokens?.map((token) => ({
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    })),
  });
}

async function main() {
  const reference = await startReference();
  // The benchmark signs in TOKENS times from one address: lift the rate limits for it.
  const ours = await startServer(
    { RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_ACCOUNT_FAILURES_MAX: '1000000' },
    join(__dirname, 'server-with-baseline.js'),
  );
  try {
    const token = await ours.signUp('bench');
    const tokens = [];
    for (let i = 0; i < TOKENS; i++) {
      const { body } = await ours.post(
        'mutation($i: AuthenticateInput!) { authenticate(input: $i) { ... on AuthTokens { accessToken } } }',
        { i: { username: 'bench', password: ours.PASSWORD } },
      );
      tokens.push(body.data.authenticate.accessToken);
    }
    const scenarios = {
      reference: () => load(reference.url, { body: ME }),
      unauthenticated: () =>
        load(ours.url, { body: JSON.stringify({ query: '{ baselineMe { id username groups } }' }) }),
      meOneToken: () => load(ours.url, { body: ME, authorization: `Bearer ${token}` }),
      meRotatingTokens: () => load(ours.url, { body: ME, tokens }),
    };
    const runs = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(scenarios)) {
        const result = await run();
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        runs[name].push(result);
      }
    }
    const rows = Object.fromEntries(
      Object.entries(runs).map(([name, results]) => [
        name,
        {
          reqPerSec: Math.round(median(results.map((r) => r.requests.average))),
          p50Ms: median(results.map((r) => r.latency.p50)),
          p99Ms: median(results.map((r) => r.latency.p99)),
        },
      ]),
    );
    const ratios = {
      unauthenticatedToReference: rows.unauthenticated.reqPerSec / rows.reference.reqPerSec,
      meOneTokenToUnauthenticated: rows.meOneToken.reqPerSec / rows.unauthenticated.reqPerSec,
      meRotatingTokensToUnauthenticated: rows.meRotatingTokens.reqPerSec / rows.unauthenticated.reqPerSec,
      rssOursToReference: rssMb(ours.pid) / rssMb(reference.pid),
    };
    const result = {
      machine: `${cpus().length} × ${cpus()[0].model}, node ${process.version}`,
      settings: { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, tokens: TOKENS },
      rows,
      rssMb: { reference: Math.round(rssMb(reference.pid)), ours: Math.round(rssMb(ours.pid)) },
      ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, Number(v.toFixed(3))])),
    };
    console.log(`${result.machine}; ${SECONDS} s × ${ROUNDS} rounds, ${CONNECTIONS} connections (medians)\n`);
    console.log('| scenario | req/s | p50 ms | p99 ms |\n|---|---|---|---|');
    for (const [name, row] of Object.entries(rows))
      console.log(`| ${name} | ${row.reqPerSec} | ${row.p50Ms} | ${row.p99Ms} |`);
    console.log('\n| ratio | value |\n|---|---|');
    for (const [name, value] of Object.entries(result.ratios)) console.log(`| ${name} | ${value} |`);
    if (process.env.BENCH_WRITE_RESULTS !== '0') {
      mkdirSync(join(__dirname, 'results'), { recursive: true });
      writeFileSync(
        join(__dirname, 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
        JSON.stringify(result, null, 2),
      );
    }
  } finally {
    await ours.stop();
    await reference.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
