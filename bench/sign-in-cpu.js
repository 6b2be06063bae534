#!/usr/bin/env node
'use strict';
// What one sign-in costs the server process in CPU, measured from outside (/proc/<pid>/stat), against
// a baseline of the cheapest GraphQL request in the same run. Also: how long the event loop keeps a
// cheap request waiting while sign-ins run (p99, against the same request with no sign-ins).
// Run: npm run bench:sign-in   (builds, starts dist/main.js with its embedded emulator, then stops it)

const { readFileSync } = require('node:fs');
const { startServer } = require('./lib/server');

const SIGN_INS = Number(process.env.SIGN_INS ?? 200);

/** User + system CPU of a process, in milliseconds (Linux). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
}

async function main() {
  // Far more sign-ins from one address than a person makes: lift the rate limits for the measure.
  const server = await startServer({ RATE_LIMIT_IP_MAX: '1000000', RATE_LIMIT_ACCOUNT_FAILURES_MAX: '1000000' });
  try {
    const gql = async (query, variables) => {
      const { body } = await server.post(query, variables);
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const signIn = () =>
      gql('mutation($i: AuthenticateInput!) { authenticate(input: $i) { __typename } }', {
        i: { username: 'bench', password: server.PASSWORD },
      });
    const ping = () => gql('{ __typename }');

    await server.signUp('bench');
    for (let i = 0; i < 50; i++) await Promise.all([signIn(), ping()]); // warm-up

    const measure = async (request) => {
      const before = cpuMs(server.pid);
      for (let i = 0; i < SIGN_INS; i++) await request();
      return (cpuMs(server.pid) - before) / SIGN_INS;
    };
    const pingCpu = await measure(ping);
    const signInCpu = await measure(signIn);

    const pingLatencies = async (during) => {
      const latencies = [];
      let running = true;
      const load = during
        ? Promise.all(
            Array.from({ length: 4 }, async () => {
              while (running) await signIn();
            }),
          )
        : Promise.resolve();
      for (let i = 0; i < SIGN_INS; i++) {
        const start = process.hrtime.bigint();
        await ping();
        latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      running = false;
      await load;
      latencies.sort((a, b) => a - b);
      return latencies[Math.floor(latencies.length * 0.99) - 1];
    };
    const idleP99 = await pingLatencies(false);
    const busyP99 = await pingLatencies(true);

    const rows = [
      ['server CPU per `{ __typename }` (baseline)', `${pingCpu.toFixed(2)} ms`, '1.00'],
      ['server CPU per `authenticate`', `${signInCpu.toFixed(2)} ms`, (signInCpu / pingCpu).toFixed(2)],
      ['`authenticate` CPU over the baseline', `${(signInCpu - pingCpu).toFixed(2)} ms`, ''],
      ['p99 `{ __typename }`, idle', `${idleP99.toFixed(1)} ms`, '1.00'],
      ['p99 `{ __typename }`, 4 sign-ins in flight', `${busyP99.toFixed(1)} ms`, (busyP99 / idleP99).toFixed(2)],
    ];
    console.log(`node ${process.version}, ${require('node:os').cpus().length} cores, ${SIGN_INS} requests a row\n`);
    console.log('| measure | value | ratio |\n|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
