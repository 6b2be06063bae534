import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTHENTICATE, CONFIRM, PASSWORD, REGISTER } from './support/flows';
import { freePort } from './support/free-port';
import { postGraphQL } from './support/test-server';

// What `npm start` runs (the built dist/main.js; `npm test` builds it first), as a separate process.
const MAIN = join(__dirname, '..', 'dist', 'main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(env: Record<string, string>, cwd: string): Started {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs = 20000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = started.output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline || started.child.exitCode !== null) {
      throw new Error(`Never saw ${pattern} in:\n${started.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm start', () => {
  let workDir: string;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does)');
    workDir = mkdtempSync(join(tmpdir(), 'start-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('stops at once on a bad configuration, naming the variable', async () => {
    const started = run({ COGNITO_CLIENT_ID: 'abc', PORT: 'x' }, workDir);
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('PORT must be a whole number');
    expect(started.output()).toContain('COGNITO_CLIENT_ID is set but COGNITO_USER_POOL_ID is not');
    expect(started.output()).not.toMatch(/\n\s+at /);
  });

  it('serves /graphql on the embedded emulator, logs codes, keeps users across restarts and exits cleanly', async () => {
    const env = {
      PORT: String(await freePort()),
      COGNITO_LOCAL_PORT: String(await freePort()),
      COGNITO_LOCAL_DATA_DIR: join(workDir, 'data'),
    };
    const url = `http://127.0.0.1:${env.PORT}/graphql`;

    const first = run(env, workDir);
    await waitFor(first, /GraphQL API ready at \S+/);
    expect(first.output()).toContain('Using the embedded Cognito emulator');
    expect(existsSync(join(workDir, 'schema.gql'))).toBe(false);

    await postGraphQL(url, {
      query: REGISTER,
      variables: { input: { username: 'starter', email: 'starter@example.com', password: PASSWORD } },
    });
    const [, code] = await waitFor(first, /Code for user "starter" .*: (\d+)/);
    expect(
      await postGraphQL(url, { query: CONFIRM, variables: { input: { username: 'starter', code } } }),
    ).toMatchObject({
      data: { confirmRegistration: true },
    });

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // Same data folder: the pool, its client and the user are reused.
    const second = run(env, workDir);
    await waitFor(second, /GraphQL API ready/);
    const signedIn = await postGraphQL(url, {
      query: AUTHENTICATE,
      variables: { input: { username: 'starter', password: PASSWORD } },
    });
    expect(signedIn.data.authenticate.__typename).toBe('AuthTokens');
    const me = await postGraphQL(url, { query: '{ me { username email } }' }, signedIn.data.authenticate.accessToken);
    expect(me.data).toEqual({ me: { username: 'starter', email: 'starter@example.com' } });

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
