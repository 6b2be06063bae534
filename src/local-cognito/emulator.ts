import { ChildProcess, fork } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DevelopmentFeature, requireInstalled } from '../common/development-packages';
import { StartupError } from '../common/startup-error';

/** The emulator's package is a devDependency: a production install has no emulator to start. */
export const EMBEDDED_EMULATOR: DevelopmentFeature = {
  name: 'The embedded Cognito emulator (used while COGNITO_USER_POOL_ID is unset)',
  packages: ['cognito-local'],
  otherwise: 'set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use a user pool',
};

export interface CodeDelivery {
  username?: string;
  destination?: string;
  code: string;
}

export interface EmulatorOptions {
  port: number;
  /** cognito-local keeps its config and users under `<dataDir>/.cognito`. */
  dataDir: string;
  onCode: (delivery: CodeDelivery) => void;
  onError: (message: string) => void;
}

type ChildMessage =
  { type: 'ready'; port: number } | ({ type: 'code' } & CodeDelivery) | { type: 'error'; message: string };

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
/** Lines of the child's stderr kept for a start-up failure message. */
const KEPT_LINES = 20;

/** A running cognito-local, in a child process of ours. */
export class Emulator {
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
    onError: (message: string) => void,
  ) {
    child.once('exit', (code, signal) => {
      if (!this.stopping) {
        onError(
          `the emulator stopped (${signal ?? `exit code ${code}`}): calls to Cognito fail until the server restarts`,
        );
      }
    });
  }

  static async start(options: EmulatorOptions): Promise<Emulator> {
    // main.ts checks this before anything starts; here too, for any other caller.
    requireInstalled([EMBEDDED_EMULATOR]);
    prepareDataDir(options.dataDir);
    const child = fork(join(__dirname, 'emulator-process.js'), [], {
      cwd: options.dataDir,
      env: {
        ...process.env,
        // cognito-local takes its listener and its token issuer from these, at import time.
        HOST: '127.0.0.1',
        PORT: String(options.port),
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    const output: string[] = [];
    const keep = (text: string) => output.splice(0, output.push(...text.trim().split('\n')) - KEPT_LINES);
    child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString()));

    const port = await new Promise<number>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill();
        const detail = output.slice(-5).join('\n');
        const where = `The embedded Cognito emulator did not start on 127.0.0.1:${options.port}`;
        reject(
          new StartupError(
            detail.includes('EADDRINUSE')
              ? `${where}: the port is in use (by another server, or an emulator of an earlier run). ` +
                  'Free it or set COGNITO_LOCAL_PORT.'
              : `${where}: ${why}.${detail ? `\n${detail}` : ''}`,
          ),
        );
      };
      const timer = setTimeout(() => fail(`no answer within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      child.once('exit', (code) => fail(`it exited with code ${code}`));
      let ready = false;
      const early: string[] = [];
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          child.removeAllListeners('exit');
          // The start went well after all: what it reported on the way is logged, as later errors are.
          early.forEach((text) => options.onError(text));
          resolve(message.port);
        } else if (message.type === 'code') {
          options.onCode(message);
        } else if (ready) {
          options.onError(message.message);
        } else {
          // Until it is ready, told in the failure's message should the start fail: not twice.
          keep(message.message);
          early.push(message.message);
        }
      });
    });
    return new Emulator(child, `http://127.0.0.1:${port}`, options.onError);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * cognito-local keeps passwords, codes, refresh tokens and TOTP secrets in plain text under
 * `<dataDir>/.cognito`: that folder and all in it are the owner's only (0700 folders, 0600 files;
 * the child runs with umask 077 for the files it writes, and those of an earlier run are put right
 * here), and git ignores it wherever the data folder is (a `.gitignore` of its own, since the
 * project's names only the default folder). The data folder itself may be any folder, so it is
 * left as it is, unless we create it.
 *
 * Pools must use plain usernames (cognito-local defaults to email-as-username), and that default
 * is only read from its config file when a pool is created.
 */
function prepareDataDir(dataDir: string): void {
  const configDir = join(dataDir, '.cognito');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  ownerOnly(configDir);
  writeIfMissing(
    join(configDir, '.gitignore'),
    "# The emulator's data, passwords in plain text: never commit it.\n*\n",
  );
  writeIfMissing(
    join(configDir, 'config.json'),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }, null, 2),
  );
}

function ownerOnly(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) ownerOnly(join(dir, entry.name));
    else if (entry.isFile()) chmodSync(join(dir, entry.name), 0o600);
  }
}

function writeIfMissing(file: string, content: string): void {
  if (!existsSync(file)) writeFileSync(file, content, { mode: 0o600 });
}
