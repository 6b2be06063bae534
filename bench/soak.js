#!/usr/bin/env node
'use strict';
// Soak: `me` at full speed for SOAK_SECONDS (default 60) with a valid token and a share of invalid
// ones, against the built server (dist/main.js) with its embedded emulator. Fails (exit 1) on any
// 5xx, any wrong answer, or resident memory at the end more than 20% above that after warm-up.
// Run: npm run soak   (figures go to SECURITY.md; JSON under bench/results/)

const { spawn } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS ?? Math.min(10, SECONDS / 6));
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 32);
const INVALID_SHARE = 0.2;
const MAX_RSS_GROWTH = Number(process.env.SOAK_MAX_RSS_GROWTH ?? 1.2);
const PASSWORD = 'Corr3ct-Horse!';
const CODE = '135790';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'soak-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const server = spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
    cwd: dataDir,
    env: {
      ...process.env,
      NO_COLOR: '1',
      PORT: String(port),
      COGNITO_LOCAL_PORT: String(await freePort()),
      COGNITO_LOCAL_DATA_DIR: dataDir,
      CODE,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Stopped from outside (a test's timeout): take the server down too.
  process.once('SIGTERM', () => {
    server.kill('SIGTERM');
    process.exit(1);
  });
  try {
    await new Promise((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('GraphQL API ready')) resolve();
      });
      server.once('exit', () => reject(new Error(`server exited:\n${out}`)));
    });
    const post = async (body, token) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const mutation = (query, input) => post({ query, variables: { input } });
    await mutation('mutation($input: RegisterInput!) { register(input: $input) { username } }', {
      username: 'soak',
      email: 'soak@example.com',
      password: PASSWORD,
    });
    await mutation('mutation($input: ConfirmRegistrationInput!) { confirmRegistration(input: $input) }', {
      username: 'soak',
      code: CODE,
    });
    const signedIn = await mutation(
      'mutation($input: AuthenticateInput!) { authenticate(input: $input) { ... on AuthTokens { accessToken } } }',
      {
        username: 'soak',
        password: PASSWORD,
      },
    );
    const token = signedIn.body.data.authenticate.accessToken;
    const [h, p, s] = token.split('.');
    const invalid = [
      'garbage',
      `${h}.${p}.${s.slice(0, -6)}AAAAAA`,
      `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), username: 'admin' })).toString('base64url')}.${s}`,
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`,
    ];

    const counts = { requests: 0, valid: 0, invalid: 0, serverErrors: 0, wrongAnswers: 0 };
    let rssAfterWarmup = 0;
    const deadline = Date.now() + SECONDS * 1000;
    const warmupEnd = Date.now() + WARMUP_SECONDS * 1000;
    const worker = async (id) => {
      let i = id;
      while (Date.now() < deadline) {
        i++;
        const bad = (i * 7919) % 100 < INVALID_SHARE * 100 ? invalid[i % invalid.length] : undefined;
        const { status, body } = await post({ query: '{ me { id username groups } }' }, bad ?? token);
        counts.requests++;
        if (status >= 500) counts.serverErrors++;
        const right = bad
          ? body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED' && body.data == null
          : body.data?.me?.username === 'soak' && !body.errors;
        if (!right) counts.wrongAnswers++;
        counts[bad ? 'invalid' : 'valid']++;
        if (!rssAfterWarmup && Date.now() >= warmupEnd) rssAfterWarmup = rssMb(server.pid);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, id) => worker(id)));
    const elapsed = (Date.now() - started) / 1000;
    const rssEnd = rssMb(server.pid);
    const result = {
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      ...counts,
      requestsPerSecond: Math.round(counts.requests / elapsed),
      rssAfterWarmupMb: Math.round(rssAfterWarmup),
      rssEndMb: Math.round(rssEnd),
      rssGrowth: Number((rssEnd / rssAfterWarmup).toFixed(3)),
      node: process.version,
    };
    console.log('| measure | value |\n|---|---|');
    for (const [name, value] of Object.entries(result)) console.log(`| ${name} | ${value} |`);
    if (process.env.SOAK_WRITE_RESULTS !== '0') {
      mkdirSync(join(__dirname, 'results'), { recursive: true });
      writeFileSync(
        join(__dirname, 'results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
        JSON.stringify(result, null, 2),
      );
    }
    const ok = counts.serverErrors === 0 && counts.wrongAnswers === 0 && result.rssGrowth <= MAX_RSS_GROWTH;
    if (!ok) {
      console.error('SOAK FAILED: 5xx, wrong answers, or memory growth over 20%');
      process.exitCode = 1;
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
