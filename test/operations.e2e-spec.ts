import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTHENTICATE, CONFIRM, ME, PASSWORD, REGISTER } from './support/flows';
import { freePort } from './support/free-port';
import { run, Started, waitFor } from './support/main-process';
import { StandaloneEmulator } from './support/standalone-emulator';

// The real process (dist/main.js), as an operator runs it: its log on stdout, its health
// endpoints, and what it does on SIGTERM.

const until = async (check: () => Promise<boolean>, timeoutMs = 15000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

/** `me` in an operation without a name (the clients' are all named): how its request line names it. */
const ANONYMOUS_ME = '{ me { id } }';

/** A `{ __typename }` request whose body is half sent: in flight until `finish()`. */
function halfSent(port: number, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ query: '{ __typename }' });
  const inFlight = request(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
  });
  const answered = new Promise<{ status?: number; body: string }>((resolve, reject) => {
    inFlight.once('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.once('end', () => resolve({ status: response.statusCode, body: text }));
    });
    inFlight.once('error', reject);
  });
  inFlight.write(body.slice(0, 5));
  return { answered, finish: () => inFlight.end(body.slice(5)), abandon: () => inFlight.destroy() };
}

describe('in production, on a pool', () => {
  let workDir: string;
  let emulator: StandaloneEmulator;
  let server: Started;
  let base: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'operations-'));
    emulator = await StandaloneEmulator.start();
    const { userPoolId, clientId } = await emulator.createPool('operations');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'production',
      COGNITO_USER_POOL_ID: userPoolId,
      COGNITO_CLIENT_ID: clientId,
      COGNITO_ENDPOINT: emulator.endpoint,
      // Behind a proxy of ours: its X-Request-Id is kept.
      TRUST_PROXY: '1',
    };
    server = run({ ...env, PORT: String(port) }, workDir);
    await waitFor(server, /GraphQL API ready at/);
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await emulator?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const lines = () =>
    server
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const requestLine = async (reqId: string) => {
    await until(async () => lines().some((line) => line.reqId === reqId));
    return lines().find((line) => line.reqId === reqId)!;
  };
  const gql = (query: string, variables: object, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });

  it('logs one JSON line per request, with its id, operation, duration and outcome, and no secret', async () => {
    const username = 'operator';
    const after = emulator.codes.lines.length;
    await gql(REGISTER, { input: { username, email: 'operator@example.com', password: PASSWORD } });
    const code = await emulator.codes.codeFor(username, after);
    await gql(CONFIRM, { input: { username, code } });
    const signedIn = (await (await gql(AUTHENTICATE, { input: { username, password: PASSWORD } })).json()) as {
      data: { authenticate: { accessToken: string; idToken: string; refreshToken: string } };
    };
    const { accessToken, idToken, refreshToken } = signedIn.data.authenticate;

    const me = await gql(
      ME,
      {},
      {
        authorization: `Bearer ${accessToken}`,
        'x-request-id': 'trace-me-1',
      },
    );
    expect(me.headers.get('x-request-id')).toBe('trace-me-1');
    expect(await requestLine('trace-me-1')).toMatchObject({
      level: 30,
      msg: 'request',
      context: 'Request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'Me',
      outcome: 'OK',
      durationMs: expect.any(Number),
    });

    await gql(ANONYMOUS_ME, {}, { authorization: `Bearer ${accessToken}x`, 'x-request-id': 'trace-bad-token' });
    expect(await requestLine('trace-bad-token')).toMatchObject({
      operation: '(anonymous query)',
      outcome: 'UNAUTHENTICATED',
    });
    await gql(
      REGISTER,
      { input: { username: 'x', email: 'nope', password: 'short' } },
      { 'x-request-id': 'trace-bad-input' },
    );
    expect(await requestLine('trace-bad-input')).toMatchObject({ operation: 'Register', outcome: 'BAD_USER_INPUT' });

    // Refused before GraphQL (CSRF prevention; a body too large), or left by its client: a line all
    // the same, with the path only: a GET's query string can carry variables.
    const variables = encodeURIComponent(JSON.stringify({ input: { password: 'query-string-secret' } }));
    await fetch(`${base}/graphql?query=%7B__typename%7D&variables=${variables}`, {
      headers: { 'x-request-id': 'trace-csrf' },
    });
    expect(await requestLine('trace-csrf')).toMatchObject({
      method: 'GET',
      path: '/graphql',
      status: 400,
      outcome: 'HTTP_400',
    });
    await gql(ME, { pad: 'x'.repeat(70 * 1024) }, { 'x-request-id': 'trace-too-large' });
    expect(await requestLine('trace-too-large')).toMatchObject({ path: '/graphql', status: 413, outcome: 'HTTP_413' });
    const left = halfSent(Number(new URL(base).port), { 'x-request-id': 'trace-left' });
    left.answered.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    left.abandon();
    expect(await requestLine('trace-left')).toMatchObject({ path: '/graphql', outcome: 'CLIENT_CLOSED' });

    // An id that could forge or bloat log lines is replaced by a fresh one: each rule on its own.
    const idGiven = async (id: string) => (await gql(ME, {}, { 'x-request-id': id })).headers.get('x-request-id');
    const fresh = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const longest = `Trace_1.2:3-${'a'.repeat(88)}`;
    expect(await idGiven(longest)).toBe(longest);
    expect(await idGiven(`${longest}a`)).toMatch(fresh); // allowed characters, one too many
    for (const character of ['"', ' ', '/', '{']) {
      expect(await idGiven(`trace${character}1`)).toMatch(fresh); // short, with one character not allowed
    }

    // Every line of stdout is JSON (the parse above would have thrown), and no secret is in it.
    const log = server.output();
    for (const secret of [PASSWORD, code, accessToken, idToken, refreshToken, 'query-string-secret']) {
      expect(log).not.toContain(secret);
    }
  });

  it('reports liveness and readiness in the format of @nestjs/terminus; not ready while Cognito is unreachable', async () => {
    const health = async (path: string) => {
      const response = await fetch(`${base}/health/${path}`);
      return { status: response.status, body: await response.json() };
    };
    expect(await health('live')).toEqual({
      status: 200,
      body: { status: 'ok', info: { process: { status: 'up' } }, error: {}, details: { process: { status: 'up' } } },
    });
    expect(await health('ready')).toEqual({
      status: 200,
      body: {
        status: 'ok',
        info: { jwks: { status: 'up' }, cognito: { status: 'up' } },
        error: {},
        details: { jwks: { status: 'up' }, cognito: { status: 'up' } },
      },
    });

    await emulator.crash();
    await until(async () => (await health('ready')).status === 503);
    const down = await health('ready');
    // Why is in the log, not in the public answer.
    expect(down.body).toEqual({
      status: 'error',
      info: { jwks: { status: 'up' } },
      error: { cognito: { status: 'down' } },
      details: { jwks: { status: 'up' }, cognito: { status: 'down' } },
    });
    expect(server.output()).toMatch(/"context":"Readiness".*Cognito did not answer/);
    expect((await health('live')).status).toBe(200);

    await emulator.recover();
    await until(async () => (await health('ready')).status === 200);
  });

  it('stops on SIGINT (Ctrl-C) as on SIGTERM: finishes the request in flight, then exits 0', async () => {
    const port = await freePort();
    const interrupted = run({ ...env, PORT: String(port) }, workDir);
    await waitFor(interrupted, /GraphQL API ready at/);
    const request = halfSent(port);
    await new Promise((r) => setTimeout(r, 200));
    interrupted.child.kill('SIGINT');
    await waitFor(interrupted, /SIGINT: finishing the requests in flight/);
    await until(() => refused(port), 5000);
    request.finish();
    expect(await request.answered).toMatchObject({ status: 200 });
    expect(await interrupted.exited).toBe(0);
    // The last line says it has stopped.
    const last = interrupted.stdout().trim().split('\n').pop()!;
    expect(JSON.parse(last)).toMatchObject({ level: 30, context: 'Main', msg: expect.stringMatching(/^Stopped: /) });
  });

  it('exits 1 when a request is still in flight after SHUTDOWN_TIMEOUT_MS', async () => {
    const port = await freePort();
    const stuck = run({ ...env, PORT: String(port), SHUTDOWN_TIMEOUT_MS: '500' }, workDir);
    await waitFor(stuck, /GraphQL API ready at/);
    const request = halfSent(port);
    request.answered.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    stuck.child.kill('SIGTERM');
    expect(await stuck.exited).toBe(1);
    expect(stuck.output()).toContain('Still stopping after 500 ms: exiting anyway');
    // Cut off, not answered.
    await expect(request.answered).rejects.toThrow('socket hang up');
  });
});

describe('SIGTERM, with the embedded emulator', () => {
  it('stops taking requests, finishes the one in flight, stops the emulator and exits 0', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'shutdown-'));
    const port = await freePort();
    const emulatorPort = await freePort();
    const server = run(
      { PORT: String(port), COGNITO_LOCAL_PORT: String(emulatorPort), COGNITO_LOCAL_DATA_DIR: join(workDir, 'data') },
      workDir,
    );
    try {
      // Development: readable lines, not JSON.
      const [ready] = await waitFor(server, /.*\[Main\] GraphQL API ready at \S+/);
      expect(ready).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Main\]/);
      expect(await refused(emulatorPort)).toBe(false);
      // No proxy of ours in front: a caller's X-Request-Id is not taken.
      const answer = await fetch(`http://127.0.0.1:${port}/health/live`, { headers: { 'x-request-id': 'mine' } });
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      // A request whose body is half sent when SIGTERM comes: it is in flight.
      const request = halfSent(port);
      await new Promise((r) => setTimeout(r, 200));

      server.child.kill('SIGTERM');
      await waitFor(server, /SIGTERM: finishing the requests in flight/);
      await until(() => refused(port), 5000);
      // An impatient second signal changes nothing.
      server.child.kill('SIGTERM');
      await waitFor(server, /SIGTERM again: already stopping/);

      request.finish();
      expect(await request.answered).toEqual({
        status: 200,
        body: JSON.stringify({ data: { __typename: 'Query' } }) + '\n',
      });
      expect(await server.exited).toBe(0);
      expect(await refused(emulatorPort)).toBe(true);
      // Once the emulator has stopped too, the last line says so.
      expect(server.stdout().trim().split('\n').pop()).toMatch(
        /INFO: \[Main\] Stopped: the requests in flight were answered and everything is closed$/,
      );
    } finally {
      server.child.kill('SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
