#!/usr/bin/env node
'use strict';
// Soak: `me` at full speed for SOAK_SECONDS (default 60) with a valid token and a share of invalid
// ones, against the built server (dist/main.js) with its embedded emulator. Fails (exit 1) on any
// 5xx, any wrong answer, or resident memory at the end more than 20% above that after warm-up.
// Run: npm run soak   (figures go to SECURITY.md; JSON under bench/results/)

const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { startServer } = require('./lib/server');

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS ?? Math.min(10, SECONDS / 6));
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 32);
const INVALID_SHARE = 0.2;
const MAX_RSS_GROWTH = Number(process.env.SOAK_MAX_RSS_GROWTH ?? 1.2);

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function main() {
  const server = await startServer();
  try {
    const post = (body, token) => server.post(body.query, undefined, token);
    const token = await server.signUp('soak');
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
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
