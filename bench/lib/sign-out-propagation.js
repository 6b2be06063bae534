'use strict';
// Issue 13's sign-out propagation: three instances of the server share one Redis (and one pool);
// a session signed out through A, how long until B and C refuse its access token.
//
// Each measured sign-out is of a user of its own, signed in once: `signOut` ends every session of
// its user up to now, so with a shared user one sign-out would end the next one's session before
// it is measured. Users are made and signed in before the first measurement, so that no
// registration runs beside one. Then, one sign-out at a time:
//   1. the access token answers `me` on B and on C (each verifies it and keeps it in its token
//      cache: the case where a stale instance would go on answering from its cache);
//   2. `signOut` on A; the clock starts when its answer has arrived (A answers once the sign-out
//      is in Redis);
//   3. B and C are asked `me` with that token back to back, each until it refuses it
//      (UNAUTHENTICATED); the time of that sign-out is the later of the two refusals.
// Times are of answers received, so they include a request's round trip on loopback: the median
// round trip of the refusing requests is answered too, as the resolution of the times.

const { performance } = require('node:perf_hooks');
const { startServer } = require('./server');

const ME = '{ me { id username } }';
// Past this, a sign-out counts as not propagated and the run fails: 100 times the target.
const GIVE_UP_MS = 5000;
// Users registered and signed in at once while preparing (the emulator serialises its writes).
const PREPARING = 4;

async function gql(server, query, variables, token) {
  const { status, body } = await server.post(query, variables, token);
  if (body.errors) throw new Error(`${query.slice(0, 40)}…: ${status} ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A user of its own, registered, confirmed and signed in through `server`: its access token. */
async function newSession(server, username) {
  await gql(server, 'mutation($i: RegisterInput!) { register(input: $i) { username } }', {
    i: { username, email: `${username}@example.com`, password: server.PASSWORD },
  });
  await gql(server, 'mutation($i: ConfirmRegistrationInput!) { confirmRegistration(input: $i) }', {
    i: { username, code: server.CODE },
  });
  const data = await gql(
    server,
    'mutation($i: AuthenticateInput!) { authenticate(input: $i) { ... on AuthTokens { accessToken } } }',
    { i: { username, password: server.PASSWORD } },
  );
  return data.authenticate.accessToken;
}

/**
 * `me` with `token` on `server` until it is refused: when that answer arrived (performance.now()),
 * how long that request took, and how many answered before it.
 */
async function untilRefused(server, token, startedAt) {
  for (let answered = 0; ; answered++) {
    const sentAt = performance.now();
    const { body } = await server.post(ME, undefined, token);
    const now = performance.now();
    if (body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED')
      return { at: now, roundTripMs: now - sentAt, answered };
    if (body.errors) throw new Error(`me: ${JSON.stringify(body.errors)}`);
    if (now - startedAt > GIVE_UP_MS) throw new Error(`a signed-out token still answered after ${GIVE_UP_MS} ms`);
  }
}

/** Nearest-rank percentile of sorted `values`. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * `env`: the production environment of the servers (pool, REDIS_URL, lifted rate limits);
 * `count` sign-outs. Answers the times (ms) in the order measured, with p50, p99, max.
 */
async function signOutPropagation(env, count) {
  const instances = [];
  try {
    for (let i = 0; i < 3; i++) instances.push(await startServer(env));
    await Promise.all(instances.map((server) => server.ready()));
    const [a, b, c] = instances;

    const run = Date.now().toString(36);
    const tokens = new Array(count);
    let next = 0;
    const prepare = async () => {
      for (let i = next++; i < count; i = next++) tokens[i] = await newSession(a, `so-${run}-${i}`);
    };
    const preparingStarted = performance.now();
    await Promise.all(Array.from({ length: Math.min(PREPARING, count) }, prepare));
    const preparingMs = performance.now() - preparingStarted;

    const timesMs = [];
    const roundTripsMs = [];
    // Sign-outs after which B or C still answered the token at least once.
    let answeredAfter = 0;
    const measuringStarted = performance.now();
    for (const token of tokens) {
      for (const server of [b, c]) {
        const data = await gql(server, ME, undefined, token);
        if (!data.me?.id) throw new Error('me did not answer before the sign-out');
      }
      const signedOut = await gql(a, 'mutation { signOut }', undefined, token);
      const startedAt = performance.now();
      if (signedOut.signOut !== true) throw new Error(`signOut answered ${JSON.stringify(signedOut)}`);
      const refusals = await Promise.all([untilRefused(b, token, startedAt), untilRefused(c, token, startedAt)]);
      timesMs.push(Math.max(...refusals.map((refusal) => refusal.at)) - startedAt);
      roundTripsMs.push(...refusals.map((refusal) => refusal.roundTripMs));
      if (refusals.some((refusal) => refusal.answered > 0)) answeredAfter++;
    }
    const measuringMs = performance.now() - measuringStarted;

    const sorted = [...timesMs].sort((x, y) => x - y);
    return {
      count,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1],
      refusalRoundTripP50Ms: percentile(
        roundTripsMs.sort((x, y) => x - y),
        50,
      ),
      answeredAfter,
      preparingMs,
      measuringMs,
      timesMs,
    };
  } finally {
    await Promise.all(instances.map((server) => server.stop()));
  }
}

module.exports = { signOutPropagation };
