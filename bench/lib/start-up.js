'use strict';
// Start-up with a pool named by the environment, as with real AWS: the time from starting the
// process to the first answered `me`. The server loads the pool's JWKS before it reports ready, so
// the first `me` needs no key fetch of its own.

const { startServer } = require('./server');

/** The pool that issued `token` (cognito-local's issuer is `<endpoint>/<pool id>`). */
function poolOf(token) {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  const issuer = new URL(claims.iss);
  return {
    COGNITO_USER_POOL_ID: issuer.pathname.slice(1),
    COGNITO_CLIENT_ID: claims.client_id,
    COGNITO_ENDPOINT: issuer.origin,
  };
}

/** Milliseconds from spawning dist/main.js to the answer of its first `me` with `token`. */
async function timeToFirstMe(token) {
  const started = process.hrtime.bigint();
  const server = await startServer(poolOf(token));
  try {
    const { body } = await server.post('{ me { id username groups } }', undefined, token);
    if (!body.data?.me) throw new Error(`first me failed: ${JSON.stringify(body)}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    await server.stop();
  }
}

module.exports = { timeToFirstMe };
