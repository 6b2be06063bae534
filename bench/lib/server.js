'use strict';
// The built server (dist/main.js) with its embedded emulator, run as a user runs it, for the
// benchmark scripts: started on free ports in a folder of its own, stopped with SIGTERM.

const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort } = require('./free-port');

const PASSWORD = 'Corr3ct-Horse!';
// cognito-local "sends" this code every time, so the scripts need no log reading.
const CODE = '246810';

/**
 * `script`: dist/main.js, or another entry point of the built server. `nodeArgs`: flags for node itself
 * (some, like --cpu-prof, are refused in NODE_OPTIONS).
 */
async function startServer(env = {}, script = join(__dirname, '..', '..', 'dist', 'main.js'), nodeArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: dataDir,
    env: {
      ...process.env,
      NO_COLOR: '1',
      PORT: String(port),
      COGNITO_LOCAL_PORT: String(await freePort()),
      COGNITO_LOCAL_DATA_DIR: dataDir,
      CODE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Stopped from outside (a test's timeout): take the server down too.
  process.once('SIGTERM', () => stop().finally(() => process.exit(1)));
  // Kept for an error message only: the log (a line per request) must not grow this process.
  let out = '';
  child.stdout.on('data', (chunk) => {
    if (out.length < 65536) out += chunk;
  });
  // Ready when it answers, whatever LOG_LEVEL lets it say.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${out}`);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
    if (live?.ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = `http://127.0.0.1:${port}/graphql`;

  /** One GraphQL request: its HTTP status and body. */
  const post = async (query, variables, token) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: await response.json() };
  };

  /** Registers and confirms `username`, and returns its access token. */
  const signUp = async (username) => {
    await post('mutation($i: RegisterInput!) { register(input: $i) { username } }', {
      i: { username, email: `${username}@example.com`, password: PASSWORD },
    });
    await post('mutation($i: ConfirmRegistrationInput!) { confirmRegistration(input: $i) }', {
      i: { username, code: CODE },
    });
    const { body } = await post(
      'mutation($i: AuthenticateInput!) { authenticate(input: $i) { ... on AuthTokens { accessToken } } }',
      { i: { username, password: PASSWORD } },
    );
    return body.data.authenticate.accessToken;
  };

  /**
   * Until /health/ready answers 200: JWKS loaded, the pool answers, and with Redis, every sign-out
   * it holds read (/health/live, awaited above, says only that the process serves).
   */
  const ready = async () => {
    const origin = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const response = await fetch(`${origin}/health/ready`).catch(() => undefined);
      if (response?.ok) return;
      if (i > 400) throw new Error(`${origin} was not ready within 20 s: ${await response?.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return { pid: child.pid, url, post, signUp, ready, stop, PASSWORD, CODE };
}

/**
 * The environment of a server run as in production (NODE_ENV=production, no embedded emulator) on
 * the pool that issued `token`: another server's emulator stands in for AWS. cognito-local's
 * issuer is `<endpoint>/<pool id>`.
 */
function productionEnv(token) {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  const issuer = new URL(claims.iss);
  return {
    NODE_ENV: 'production',
    COGNITO_USER_POOL_ID: issuer.pathname.slice(1),
    COGNITO_CLIENT_ID: claims.client_id,
    COGNITO_ENDPOINT: issuer.origin,
  };
}

module.exports = { startServer, productionEnv };
