import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AUTHENTICATE, CONFIRM, PASSWORD, REGISTER } from './support/flows';
import { freePort } from './support/free-port';
import { run, waitFor } from './support/main-process';
import { postGraphQL } from './support/test-server';

/** Every folder and file under `dir` (itself included), with its permission bits. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (path: string) => {
    found[relative(dir, path) || '.'] = (statSync(path).mode & 0o777).toString(8);
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

describe('npm start', () => {
  let workDir: string;

  beforeAll(() => {
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

  it("says once, without a stack, that the emulator's port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const started = run(
        {
          PORT: String(await freePort()),
          COGNITO_LOCAL_PORT: String(port),
          COGNITO_LOCAL_DATA_DIR: join(workDir, 'taken'),
        },
        workDir,
      );
      expect(await started.exited).toBe(1);
      const output = started.output();
      expect(output.match(/port is in use/g)).toEqual(['port is in use']);
      expect(output).toContain(
        `The embedded Cognito emulator did not start on 127.0.0.1:${port}: ` +
          'the port is in use (by another server, or an emulator of an earlier run). Free it or set COGNITO_LOCAL_PORT.',
      );
      expect(output).not.toMatch(/\n\s+at |ERROR|EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('serves /graphql on the embedded emulator, logs codes, keeps users across restarts and exits cleanly', async () => {
    // In a git checkout, as a developer runs it.
    execFileSync('git', ['init', '-q', workDir]);
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

    // The emulator's data (the user's password in plain text, among others) is the owner's only,
    // and git would not commit it.
    const data = join(env.COGNITO_LOCAL_DATA_DIR, '.cognito');
    const written = modes(data);
    expect(Object.keys(written)).toEqual(expect.arrayContaining(['.', 'config.json', 'db', 'db/clients.json']));
    for (const [path, mode] of Object.entries(written)) {
      expect({ path, mode }).toEqual({ path, mode: statSync(join(data, path)).isDirectory() ? '700' : '600' });
    }
    expect(modes(env.COGNITO_LOCAL_DATA_DIR)['.']).toBe('700');
    expect(execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: workDir }).toString()).toBe(
      '',
    );
    // Files of an earlier version, readable by all, are made the owner's only at the next start.
    for (const path of Object.keys(written)) {
      chmodSync(join(data, path), statSync(join(data, path)).isDirectory() ? 0o755 : 0o644);
    }

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
    for (const [path, mode] of Object.entries(modes(data))) {
      expect({ path, mode }).toEqual({ path, mode: statSync(join(data, path)).isDirectory() ? '700' : '600' });
    }
  }, 60000); // two starts of the server and its emulator, each up to ~10 s on a busy 2-core machine
});
