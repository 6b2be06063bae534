import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { run, Started, waitFor } from './main-process';
import { GraphQLResponse, postGraphQL } from './test-server';

/** One line of an instance's log (NODE_ENV=production logs JSON, one object a line). */
export interface LogLine {
  level: number;
  msg: string;
  context?: string;
}

/** One product process (dist/main.js, as `npm start` runs it) on a port of its own. */
export class Instance {
  private constructor(
    readonly name: string,
    /** http://127.0.0.1:<port> */
    readonly base: string,
    readonly process: Started,
  ) {}

  /**
   * Starts one with `env`, in `cwd`, and answers once it listens (not once it is ready: see
   * `untilReady`). Should it not get there, it is killed.
   */
  static async start(name: string, env: Record<string, string>, cwd: string): Promise<Instance> {
    const port = await freePort();
    const started = run({ HOST: '127.0.0.1', ...env, PORT: String(port) }, cwd);
    const instance = new Instance(name, `http://127.0.0.1:${port}`, started);
    try {
      // Tests start three at once, each with its own Nest start-up: on 2 busy cores that took over 20 s.
      await waitFor(started, /GraphQL API ready at/, 45_000);
    } catch (error) {
      await instance.kill();
      throw error;
    }
    return instance;
  }

  gql<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL(`${this.base}/graphql`, { query, variables }, token, headers);
  }

  /** /health/ready: its status, and what it says of Redis. */
  async ready(): Promise<{ status: number; redis?: string }> {
    const response = await fetch(`${this.base}/health/ready`);
    const body = (await response.json()) as { details?: { redis?: { status: string } } };
    return { status: response.status, redis: body.details?.redis?.status };
  }

  /** Its log, one JSON line each: started with NODE_ENV=production only. */
  lines(): LogLine[] {
    return this.process
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** Where its log is now: `said(…, since)` reads only what comes after. */
  mark(): number {
    return this.lines().length;
  }

  /**
   * The messages of its log lines that say `pattern`, from line `since` on (from a fault on: a
   * start-up on a busy machine can hold the event loop past REDIS_TIMEOUT_MS, and a line or two
   * about Redis before the fault is no concern of a test of that fault).
   */
  said(pattern: RegExp, since = 0): string[] {
    return this.lines()
      .slice(since)
      .filter((line) => pattern.test(line.msg))
      .map((line) => line.msg);
  }

  /** Error lines and stack traces in its output. */
  trouble(): string[] {
    const errors = this.lines()
      .filter((line) => line.level >= 50)
      .map((line) => `${this.name}: ${line.msg}`);
    const stacks = this.process.output().match(/^.*\n\s+at .+:\d+:\d+.*$/gm) ?? [];
    return [...errors, ...stacks.map((stack) => `${this.name}: ${stack}`)];
  }

  /** SIGTERM, as a platform stops a replica (SIGKILL should it not exit within 10 s): its exit code. */
  async stop(): Promise<number | null> {
    const { child, exited } = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL: what a test left running, stopped whatever state it is in. */
  async kill(): Promise<void> {
    const { child, exited } = this.process;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Until `instance` reports ready (/health/ready 200: keys loaded, Cognito reachable, every
 * sign-out in Redis read): how long that took. Fails at once should the process exit, and after
 * `timeoutMs`; either way with its output.
 */
export async function untilReady(instance: Instance, timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (instance.process.child.exitCode !== null) {
      throw new Error(`instance ${instance.name} exited:\n${instance.process.output()}`);
    }
    const ready = await instance.ready().catch(() => undefined);
    if (ready?.status === 200) return Date.now() - start;
    if (Date.now() - start > timeoutMs) {
      throw new Error(`instance ${instance.name} not ready within ${timeoutMs} ms:\n${instance.process.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Instances {
  all: Instance[];
  /** The next instance in turn: requests spread round-robin, as a load balancer spreads them. */
  next(): Instance;
  stop(): Promise<void>;
}

/**
 * Starts `count` instances of the built server with the same `env` (the pool, Redis, the limits),
 * named A, B, C…, and waits until every one reports ready. Should one not get there, all are stopped.
 */
export async function startInstances(count: number, env: Record<string, string>): Promise<Instances> {
  const dir = mkdtempSync(join(tmpdir(), 'instances-'));
  const all: Instance[] = [];
  const stop = async () => {
    await Promise.all(all.map((instance) => instance.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => Instance.start(String.fromCharCode(65 + i), env, dir)),
    );
    for (const one of started) if (one.status === 'fulfilled') all.push(one.value);
    const failed = started.find((one) => one.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all(all.map((instance) => untilReady(instance)));
  } catch (error) {
    await stop();
    throw error;
  }
  let turn = 0;
  return { all, next: () => all[turn++ % all.length], stop };
}
