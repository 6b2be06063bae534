'use strict';
// Start-up with a pool named by the environment, as with real AWS: the time from starting the
// process to the first answered `me`. The server loads the pool's JWKS before it reports ready, so
// the first `me` needs no key fetch of its own.

const { startServer } = require('./server');

/** Milliseconds from spawning dist/main.js with `env` (a pool named) to the answer of its first `me` with `token`. */
async function timeToFirstMe(env, token) {
  const started = process.hrtime.bigint();
  const server = await startServer(env);
  try {
    const { body } = await server.post('{ me { id username groups } }', undefined, token);
    if (!body.data?.me) throw new Error(`first me failed: ${JSON.stringify(body)}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    await server.stop();
  }
}

module.exports = { timeToFirstMe };
