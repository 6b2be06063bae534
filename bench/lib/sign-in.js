'use strict';
// Sign-ins against a started server (bench/lib/server.js): what one costs the server in CPU, and
// sign-ins kept running in the background while something else is measured.

const { cpuMs } = require('./proc');

const AUTHENTICATE = 'mutation($i: AuthenticateInput!) { authenticate(input: $i) { __typename } }';

async function gql(server, query, variables) {
  const { body } = await server.post(query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const signIn = (server, username) => gql(server, AUTHENTICATE, { i: { username, password: server.PASSWORD } });

/**
 * The server's CPU per `authenticate`, and per `{ __typename }` (the cheapest GraphQL request) as
 * the baseline, over `count` requests each, one at a time.
 */
async function signInCpu(server, username, count) {
  const ping = () => gql(server, '{ __typename }');
  for (let i = 0; i < Math.min(count, 50); i++) await Promise.all([signIn(server, username), ping()]); // warm-up
  const perRequest = async (request) => {
    const before = cpuMs(server.pid);
    for (let i = 0; i < count; i++) await request();
    return (cpuMs(server.pid) - before) / count;
  };
  const baselineMs = await perRequest(ping);
  const authenticateMs = await perRequest(() => signIn(server, username));
  return { baselineMs, authenticateMs, overBaselineMs: authenticateMs - baselineMs };
}

/**
 * Runs `measure()` while sign-ins start at a steady `perSecond`, whether or not the earlier ones have
 * answered (as users arrive); answers its result and how many sign-ins ran.
 */
async function whileSigningIn(server, username, perSecond, measure) {
  const inFlight = [];
  let failure;
  // Each failure caught as it happens: a rejection left unhandled until the measure ends would end
  // this process at once, before it stops the servers it started.
  const start = () => signIn(server, username).catch((error) => (failure ??= error));
  const timer = setInterval(() => inFlight.push(start()), 1000 / perSecond);
  let result;
  try {
    result = await measure();
  } finally {
    clearInterval(timer);
    await Promise.all(inFlight);
  }
  if (failure) throw failure;
  return { result, signIns: inFlight.length };
}

module.exports = { signInCpu, whileSigningIn };
