'use strict';
// rate-limiter-flexible 11.4.0 beside this project's attempt stores (issue 13): memory held and
// timers for many keys, what reward() leaves, Redis latency and commands, and the duration model.
// The figures of BENCHMARKS.md ("Rate limits: rate-limiter-flexible against our stores"). It is not
// a dependency of the project: install it into a scratch folder and name it, after `npm run build`:
//   npm i --no-save --prefix /tmp/rlf rate-limiter-flexible@11.4.0
//   RLF_DIR=/tmp/rlf node --expose-gc bench/rate-limiter-flexible.js

const { execFileSync, spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const { join } = require('node:path');

const repo = join(__dirname, '..');
const rlf = join(process.env.RLF_DIR ?? '/tmp/rlf', 'node_modules', 'rate-limiter-flexible');
const { RateLimiterMemory, RateLimiterRedis } = require(rlf);
const { InMemoryAttemptStore } = require(join(repo, 'dist/rate-limit/attempt-store.js'));
const { RedisAttemptStore } = require(join(repo, 'dist/rate-limit/redis-attempt-store.js'));
const { RedisLink } = require(join(repo, 'dist/redis/redis-link.js'));
const { parseConfig } = require(join(repo, 'dist/config/config.js'));
const { startRedis } = require(join(repo, 'bench/lib/redis-server.js'));

// Keys as our limiter makes them: a kind and 22 characters of a SHA-256.
const keyOf = (i) => `ip:${createHash('sha256').update(String(i)).digest('base64url').slice(0, 22)}`;
const WINDOW_S = 60;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Timers made by whatever runs (rate-limiter-flexible's are unref'd, so process.getActiveResourcesInfo() omits them).
let timersMade = 0;
const realSetTimeout = global.setTimeout;
global.setTimeout = function (...args) {
  timersMade++;
  return realSetTimeout.apply(this, args);
};
const mib = (bytes) => (bytes / 1048576).toFixed(1);

/** (1) In a child process of its own: heap and timers after `n` distinct keys counted once each. */
async function memoryChild(which, n) {
  global.gc();
  const heap0 = process.memoryUsage().heapUsed;
  const timers0 = timersMade;
  const started = process.hrtime.bigint();
  let store;
  if (which === 'rlf') {
    store = new RateLimiterMemory({ points: 1e9, duration: WINDOW_S, keyPrefix: 'rl' });
    for (let i = 0; i < n; i++) await store.consume(keyOf(i));
  } else {
    store = new InMemoryAttemptStore();
    for (let i = 0; i < n; i++) await store.increment(keyOf(i), WINDOW_S * 1000);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  global.gc();
  const held = which === 'rlf' ? store._memoryStorage._storage.size : store.usage.keys;
  // Live: made and neither fired nor cleared.
  const live =
    which === 'rlf'
      ? [...store._memoryStorage._storage.values()].filter((r) => r.timeoutId && !r.timeoutId._destroyed).length
      : 0;
  console.log(
    JSON.stringify({
      which,
      n,
      held,
      heapMiB: mib(process.memoryUsage().heapUsed - heap0),
      timersMade: timersMade - timers0,
      live,
      ms: Math.round(ms),
    }),
  );
  process.exit(0);
}

function memory() {
  console.log('\n(1) memory: N distinct keys, each counted once (60 s window), heap growth after GC, live timers');
  for (const n of [100_000, 1_000_000]) {
    for (const which of ['rlf', 'ours']) {
      const out = execFileSync(process.execPath, [
        '--expose-gc',
        '--max-old-space-size=4096',
        __filename,
        'child',
        repo,
        which,
        String(n),
      ]);
      const r = JSON.parse(out.toString().trim().split('\n').pop());
      const name = which === 'rlf' ? 'RateLimiterMemory   ' : 'InMemoryAttemptStore';
      console.log(
        `  ${name} N=${String(n).padStart(7)}: keys held ${String(r.held).padStart(7)}, heap +${r.heapMiB} MiB, timers made ${r.timersMade} (live ${r.live}), ${r.ms} ms`,
      );
    }
  }
}

/** (2) What a give-back leaves behind. */
async function reward(server) {
  console.log(
    '\n(2) give-back: consume then reward(1) / increment then decrement; and a give-back of a key never counted',
  );
  const rlf = new RateLimiterMemory({ points: 5, duration: WINDOW_S, keyPrefix: 'rl' });
  await rlf.consume('k');
  await rlf.reward('k');
  await rlf.reward('never');
  console.log(
    `  RateLimiterMemory: keys held ${rlf._memoryStorage._storage.size}; k=${(await rlf.get('k'))?.consumedPoints}, never=${(await rlf.get('never'))?.consumedPoints}`,
  );
  let allowed = 0;
  for (let i = 0; i < 10; i++)
    await rlf.consume('never').then(
      () => allowed++,
      () => undefined,
    );
  console.log(`    then ${allowed} of 10 consumes of "never" allowed with points=5 (the give-back became credit)`);
  const ours = new InMemoryAttemptStore();
  await ours.increment('k', WINDOW_S * 1000);
  await ours.decrement('k');
  await ours.decrement('never');
  console.log(`  InMemoryAttemptStore: keys held ${ours.usage.keys}`);

  const refusedFlood = new RateLimiterMemory({ points: 5, duration: WINDOW_S, keyPrefix: 'rl' });
  for (let i = 0; i < 100_000; i++) {
    await refusedFlood.consume(keyOf(i));
    await refusedFlood.reward(keyOf(i));
  }
  console.log(
    `  100k distinct keys counted and given back: RateLimiterMemory holds ${refusedFlood._memoryStorage._storage.size} (each at 0, each with a timer)`,
  );

  const client = newClient(server);
  await ready(client);
  const rlfRedis = new RateLimiterRedis({ storeClient: client, points: 5, duration: WINDOW_S, keyPrefix: 'rlf' });
  await rlfRedis.consume('k');
  await rlfRedis.reward('k');
  await rlfRedis.reward('never');
  console.log(
    `  RateLimiterRedis: rlf:k exists=${await server.cli('exists', 'rlf:k')} value=${await server.cli('get', 'rlf:k')}; rlf:never value=${await server.cli('get', 'rlf:never')} ttl=${await server.cli('ttl', 'rlf:never')}`,
  );
  const link = newLink(server, 'ours:');
  await ready(link.client);
  const store = new RedisAttemptStore(link, new InMemoryAttemptStore());
  await store.increment('k', WINDOW_S * 1000);
  await store.decrement('k');
  await store.decrement('never');
  console.log(
    `  RedisAttemptStore: ours:rl:k exists=${await server.cli('exists', 'ours:rl:k')}; ours:rl:never exists=${await server.cli('exists', 'ours:rl:never')}`,
  );
  await link.close();
  client.disconnect();
}

function newLink(server, keyPrefix) {
  return new RedisLink(parseConfig({ REDIS_URL: server.url, REDIS_KEY_PREFIX: keyPrefix }).redis);
}
function newClient(server) {
  // Plain ioredis, as rate-limiter-flexible's README shows (offline queue off: fail at once).
  const Redis = require('ioredis');
  return new Redis({ port: server.port, host: '127.0.0.1', enableOfflineQueue: false });
}
const ready = async (client) => {
  while (client.status !== 'ready') await new Promise((r) => setTimeout(r, 5));
};

/** (3) µs per call, 10k sequential calls, median of 3; and what each sends (MONITOR). */
async function latency(server) {
  console.log(
    '\n(3) Redis: µs per call, 10k sequential calls over 1000 keys, median of 3 runs (same local redis-server)',
  );
  const client = newClient(server);
  const link = newLink(server, 'ours:');
  await Promise.all([ready(client), ready(link.client)]);
  const rlf = new RateLimiterRedis({ storeClient: client, points: 1e9, duration: WINDOW_S, keyPrefix: 'rlf' });
  const ours = new RedisAttemptStore(link, new InMemoryAttemptStore());
  const cases = {
    'RateLimiterRedis.consume    ': (i) => rlf.consume(keyOf(i % 1000)),
    'RedisAttemptStore.increment ': (i) => ours.increment(keyOf(i % 1000), WINDOW_S * 1000),
    'RateLimiterRedis.reward     ': (i) => rlf.reward(keyOf(i % 1000)),
    'RedisAttemptStore.decrement ': (i) => ours.decrement(keyOf(i % 1000)),
  };
  for (const run of Object.values(cases)) for (let i = 0; i < 1000; i++) await run(i); // warm-up, scripts loaded
  const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < 3; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 10_000; i++) await run(i);
      results[name].push(Number(process.hrtime.bigint() - started) / 1e3 / 10_000);
    }
  }
  for (const [name, runs] of Object.entries(results)) {
    console.log(`  ${name}: ${median(runs).toFixed(1)} µs (runs: ${runs.map((r) => r.toFixed(1)).join(', ')})`);
  }

  console.log('  MONITOR, a fresh key each: consume, consume, reward / increment, increment, decrement');
  const monitor = spawn('redis-cli', ['-p', String(server.port), 'monitor']);
  let seen = '';
  monitor.stdout.on('data', (d) => (seen += d));
  while (!seen.includes('OK')) await new Promise((r) => setTimeout(r, 10));
  await rlf.consume('m');
  await rlf.consume('m');
  await rlf.reward('m');
  await ours.increment('m', WINDOW_S * 1000);
  await ours.increment('m', WINDOW_S * 1000);
  await ours.decrement('m');
  await new Promise((r) => setTimeout(r, 200));
  monitor.kill();
  for (const line of seen.split('\n').filter((l) => l.includes('"')))
    console.log('   ', line.replace(/^[\d.]+ /, '').replace(/"[0-9a-f]{40}"/, '"<sha1>"'));
  await link.close();
  client.disconnect();
}

/** (4) The duration model: points and duration per limiter; a per-call duration is seconds. */
async function model(server) {
  console.log('\n(4) model: a window of 500 ms (customDuration 0.5 s), a window of 1.5 s');
  const client = newClient(server);
  await ready(client);
  const redis = new RateLimiterRedis({ storeClient: client, points: 5, duration: WINDOW_S, keyPrefix: 'rlf' });
  const memory = new RateLimiterMemory({ points: 5, duration: WINDOW_S, keyPrefix: 'rlf' });
  for (const [label, seconds] of [
    ['0.5 s', 0.5],
    ['1.5 s', 1.5],
  ]) {
    const r = await redis.consume(`d${seconds}`, 1, { customDuration: seconds });
    const m = await memory.consume(`d${seconds}`, 1, { customDuration: seconds });
    console.log(
      `  ${label}: Redis msBeforeNext ${r.msBeforeNext}, PTTL ${await server.cli('pttl', `rlf:d${seconds}`)}; Memory msBeforeNext ${m.msBeforeNext}`,
    );
  }
  const link = newLink(server, 'ours:');
  await ready(link.client);
  const ours = new RedisAttemptStore(link, new InMemoryAttemptStore());
  for (const ms of [500, 1500]) {
    const w = await ours.increment(`d${ms}`, ms);
    console.log(
      `  ours ${ms} ms: resetAt-now ${w.resetAt - Date.now()}, PTTL ${await server.cli('pttl', `ours:rl:d${ms}`)}`,
    );
  }

  console.log(
    '\n(2b) insurance limiter: consume in Redis, Redis killed, then reward (it goes to the insurance limiter)',
  );
  const insurance = new RateLimiterMemory({ points: 5, duration: WINDOW_S });
  const insured = new RateLimiterRedis({
    storeClient: client,
    points: 5,
    duration: WINDOW_S,
    keyPrefix: 'rlf',
    insuranceLimiter: insurance,
  });
  await insured.consume('i');
  await server.kill();
  await insured.reward('i');
  console.log(`  insurance holds i=${(await insurance.get('i'))?.consumedPoints} (a credit for a count it never made)`);
  const fallback = new InMemoryAttemptStore();
  const store = new RedisAttemptStore(link, fallback);
  await store.decrement('i');
  console.log(`  ours: fallback holds ${fallback.usage.keys} keys`);
  await link.close();
  client.disconnect();
}

async function main() {
  if (process.argv[2] === 'child') return memoryChild(process.argv[4], Number(process.argv[5]));
  console.log(
    `node ${process.version}, rate-limiter-flexible ${require(join(rlf, 'package.json')).version}, ${execFileSync('redis-server', ['--version']).toString().trim().split(' ').slice(0, 3).join(' ')}`,
  );
  memory();
  const server = await startRedis();
  try {
    await reward(server);
    await latency(server);
    await model(server);
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
