import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// What `npm start` runs (the built dist/main.js; `npm test` builds it first), as a separate process.
export const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface Started {
  child: ChildProcess;
  output: () => string;
  /** Standard output alone: the log. */
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Servers started by this test file and not yet exited. */
const running = new Set<ChildProcess>();

// A test that fails or times out before it stops its server must not leave it running (with its
// emulator) after the file: one such left over from a timed-out run was found serving an hour later.
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** `main`: another copy of dist/main.js (a production install of it, say). */
export function run(env: Record<string, string>, cwd: string, main = MAIN): Started {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (npm test does)`);
  const child = spawn(process.execPath, [main], {
    cwd,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => (output += chunk));
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, stdout: () => stdout, exited };
}

export async function waitFor(started: Started, pattern: RegExp, timeoutMs = 20000): Promise<RegExpMatchArray> {
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
