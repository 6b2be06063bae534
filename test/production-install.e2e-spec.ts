import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ME, signUpAndIn } from './support/flows';
import { freePort } from './support/free-port';
import { MAIN, run, Started, waitFor } from './support/main-process';
import { runCommand } from './support/run-script';
import { StandaloneEmulator } from './support/standalone-emulator';
import { postGraphQL } from './support/test-server';

const ROOT = join(__dirname, '..');
/** What only development uses, loaded only by the feature that needs it. */
const DEVELOPMENT_ONLY = ['cognito-local', 'graphiql', 'pino-pretty', 'react', 'react-dom'];

/** Runs npm in `cwd`; answers all it printed (stdout, then stderr). */
async function npm(args: string[], cwd: string): Promise<string> {
  // Not the npm_* variables of the `npm test` running us (npm_config_local_prefix names our
  // checkout), and no "new npm available" notice, which is about npm, not about this install.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const { stdout, stderr } = await runCommand('npm', args, {
    cwd,
    env: { ...env, npm_config_update_notifier: 'false' },
    timeoutMs: 240_000,
  });
  return stdout + stderr;
}

/** The name of every package installed under `dir`/node_modules, nested ones included. */
function installedPackages(dir: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        found.push(name);
        walk(join(modules, name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

/** Every package that the JavaScript under `dir` requires by name (Node's own modules aside). */
function requiredPackages(dir: string): string[] {
  const found = new Set<string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
      if (!entry.name.endsWith('.js')) continue;
      for (const [, spec] of readFileSync(join(path, entry.name), 'utf8').matchAll(
        /require(?:\.resolve)?\(\s*['"]([^'"./][^'"]*)['"]/g,
      )) {
        const name = spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/');
        if (!spec.startsWith('node:') && !builtinModules.includes(name)) found.add(name);
      }
    }
  };
  walk(dir);
  return [...found].sort();
}

// What the README's production section says: build with the full install, then install the
// production dependencies alone. The server must start from that, against a real pool (here the
// emulator, run from the full install), and need nothing of what only development uses.
describe('production install', () => {
  let dir: string;
  let installOutput: string;
  let emulator: StandaloneEmulator;
  let mainOfInstall: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'production-install-'));
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    cpSync(join(MAIN, '..'), join(dir, 'dist'), { recursive: true });
    mainOfInstall = join(dir, 'dist', 'main.js');
    [installOutput, emulator] = await Promise.all([
      npm(['ci', '--omit=dev', '--no-audit', '--no-fund'], dir),
      StandaloneEmulator.start(),
    ]);
  }, 300_000);
  afterAll(async () => {
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs quietly: no warning, no notice, only what it added', () => {
    // npm ci prints its warnings (EBADENGINE, ERESOLVE, install scripts) to stderr, counted here too.
    expect(installOutput.trim()).toMatch(/^added \d+ packages in \S+$/);
  });

  it('installs none of what only development uses, and everything the server requires', () => {
    const installed = installedPackages(dir);
    expect(installed.filter((name) => DEVELOPMENT_ONLY.includes(name))).toEqual([]);
    // The server's code names two of them: each is loaded only by its own feature (GraphiQL finds
    // its packages by a computed name).
    const missing = requiredPackages(join(dir, 'dist')).filter((name) => !installed.includes(name));
    expect(missing).toEqual(['cognito-local', 'pino-pretty']);
  });

  it('serves sign-up, sign-in and me against a user pool', async () => {
    const pool = await emulator.createPool('production');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const server = run(
      {
        NODE_ENV: 'production',
        PORT: String(port),
        COGNITO_USER_POOL_ID: pool.userPoolId,
        COGNITO_CLIENT_ID: pool.clientId,
        COGNITO_ENDPOINT: emulator.endpoint,
      },
      dir,
      mainOfInstall,
    );
    try {
      await waitFor(server, /GraphQL API ready at/);
      const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
        postGraphQL(url, { query, variables }, token);
      const user = await signUpAndIn({ gql, logger: emulator.codes }, 'prod-alice', 'Alice', emulator.codes);
      expect((await gql(ME, {}, user.accessToken)).data.me).toMatchObject({ username: 'prod-alice', name: 'Alice' });
      // No IDE in production: the browser's request gets no page.
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('starts with a pool and NODE_ENV unset, logging JSON (a forgotten NODE_ENV asks for nothing development-only)', async () => {
    const server = run(
      {
        PORT: String(await freePort()),
        COGNITO_USER_POOL_ID: 'local_AbC123',
        COGNITO_CLIENT_ID: 'abc',
        COGNITO_ENDPOINT: emulator.endpoint,
      },
      dir,
      mainOfInstall,
    );
    try {
      const [ready] = await waitFor(server, /^.*GraphQL API ready at.*$/m);
      expect(JSON.parse(ready)).toMatchObject({ level: 30, msg: expect.stringContaining('GraphQL API ready at') });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  describe('stops at start, in one sentence each, when asked for what it lacks', () => {
    const startFails = async (env: Record<string, string>): Promise<string[]> => {
      const started: Started = run(env, dir, mainOfInstall);
      expect(await started.exited).toBe(1);
      expect(started.output()).not.toMatch(/\n\s+at /);
      return started.output().trim().split('\n');
    };
    const sentence = (what: string, packages: string, otherwise: string) =>
      expect.stringMatching(
        new RegExp(
          `^${what} .* needs ${packages}, .*left out \\(npm ci --omit=dev\\): install .* with \`npm ci\`, or ${otherwise}\\.$`,
        ),
      );

    it('with no settings: the emulator, GraphiQL and readable logs, all at once, before anything starts', async () => {
      expect(await startFails({})).toEqual([
        sentence('The readable log format', 'pino-pretty', 'set LOG_FORMAT=json'),
        sentence(
          'The embedded Cognito emulator',
          'cognito-local',
          'set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use a user pool',
        ),
        sentence('GraphiQL', 'graphiql, react and react-dom', 'set GRAPHQL_IDE=false'),
      ]);
      // The emulator's data folder was never made.
      expect(existsSync(join(dir, '.cognito-local'))).toBe(false);
    });

    it('with a pool: GraphiQL and readable logs asked for by name', async () => {
      expect(
        await startFails({
          NODE_ENV: 'production',
          COGNITO_USER_POOL_ID: 'local_AbC123',
          COGNITO_CLIENT_ID: 'abc',
          COGNITO_ENDPOINT: 'http://127.0.0.1:9',
          GRAPHQL_IDE: 'true',
          LOG_FORMAT: 'pretty',
        }),
      ).toEqual([
        sentence('The readable log format', 'pino-pretty', 'set LOG_FORMAT=json'),
        sentence('GraphiQL', 'graphiql, react and react-dom', 'set GRAPHQL_IDE=false'),
      ]);
    });
  });
});
