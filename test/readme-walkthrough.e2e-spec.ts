import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/free-port';
import { run, Started, waitFor } from './support/main-process';

// The README's curl walkthrough, pasted into bash step by step as a reader would, against what
// `npm start` runs (dist/main.js on the embedded emulator). Only what must differ is replaced: the
// server's port, and the confirmation code, read from the server log as the reader reads it.

const README = join(__dirname, '..', 'README.md');
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** The sh block after "**With curl**": its first lines (the gql function), then its numbered steps. */
function walkthrough(): { preamble: string; steps: string[] } {
  const block = /\*\*With curl[^\n]*\n+```sh\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
  if (!block) throw new Error('README.md has no sh block after "**With curl**"');
  const [preamble, ...steps] = block.split(/\n(?=# \d+\. )/);
  return { preamble, steps };
}

/** One bash, fed a step at a time: functions and variables carry over, as in a terminal. */
class Shell {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  stderr = '';

  constructor(cwd: string) {
    // PATH alone: no proxy variables (curl would send 127.0.0.1 through them) and no profile.
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd, env: { PATH: process.env.PATH } });
    this.child.stdout.on('data', (chunk) => (this.stdout += chunk));
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
  }

  /** Runs `script`, and answers what it printed. */
  async run(script: string, timeoutMs = 20000): Promise<string> {
    const done = `--- done ${randomUUID()} ---`;
    const from = this.stdout.length;
    this.child.stdin.write(`${script}\necho '${done}'\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.stdout.indexOf(done, from);
      if (end >= 0) return this.stdout.slice(from, end);
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`bash did not finish:\n${script}\nstdout: ${this.stdout.slice(from)}\nstderr: ${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  close(): void {
    this.child.stdin.end();
  }
}

describe("README's curl walkthrough", () => {
  let workDir: string;
  let port: number;
  let server: Started;
  let shell: Shell;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'walkthrough-'));
    port = await freePort();
    server = run(
      {
        PORT: String(port),
        COGNITO_LOCAL_PORT: String(await freePort()),
        COGNITO_LOCAL_DATA_DIR: join(workDir, 'data'),
      },
      workDir,
    );
    await waitFor(server, /GraphQL API ready/);
    shell = new Shell(workDir);
  });
  afterAll(async () => {
    shell?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(workDir, { recursive: true, force: true });
  });

  it('runs as written, each step answering as it says', async () => {
    const { preamble, steps } = walkthrough();
    expect(steps.map((step) => /^# (\d+)\./.exec(step)?.[1])).toEqual(['1', '2', '3', '4', '5']);
    const [register, confirm, signIn, me, refresh] = steps;

    expect(preamble.split('http://127.0.0.1:3000/graphql')).toHaveLength(2);
    await shell.run(preamble.replace('http://127.0.0.1:3000/graphql', `http://127.0.0.1:${port}/graphql`));

    expect(JSON.parse(await shell.run(register))).toEqual({
      data: {
        register: {
          username: 'alice',
          userSub: expect.any(String),
          userConfirmed: false,
          codeDelivery: { destination: expect.any(String) },
        },
      },
    });

    // The code the reader finds in the log, where the README's 123456 stands.
    const [, code] = await waitFor(server, /Code for user "alice" .*: (\d+)/);
    const placeholder = 'code: \\"123456\\"';
    expect(confirm.split(placeholder)).toHaveLength(2);
    expect(JSON.parse(await shell.run(confirm.replace(placeholder, `code: \\"${code}\\"`)))).toEqual({
      data: { confirmRegistration: true },
    });

    // Printed, and kept in ACCESS_TOKEN and REFRESH_TOKEN, which the next two steps use.
    expect(JSON.parse(await shell.run(signIn))).toEqual({
      data: {
        authenticate: {
          accessToken: expect.stringMatching(JWT),
          idToken: expect.stringMatching(JWT),
          refreshToken: expect.stringMatching(/^\S{20,}$/),
          expiresIn: expect.any(Number),
        },
      },
    });

    expect(JSON.parse(await shell.run(me))).toEqual({
      data: { me: expect.objectContaining({ username: 'alice', email: 'alice@example.com', name: 'Alice' }) },
    });

    expect(JSON.parse(await shell.run(refresh))).toEqual({
      data: { refreshTokens: { accessToken: expect.stringMatching(JWT), expiresIn: expect.any(Number) } },
    });

    // Nothing went wrong on the way (a missing jq or curl would say so here).
    expect(shell.stderr).toBe('');
  }, 60000);
});
