import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { run, Started } from './main-process';
import { GraphQLResponse, postGraphQL } from './test-server';

/** One product process (dist/main.js) on a port of its own. */
export interface Instance {
  name: string;
  url: string;
  process: Started;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
}

export interface Instances {
  all: Instance[];
  /** The next instance in turn: requests spread round-robin, as a load balancer spreads them. */
  next(): Instance;
  stop(): Promise<void>;
}

/**
 * Starts `count` instances of the built server with the same `env` (the pool, Redis, the limits),
 * each on a free port, and waits until every one reports ready (/health/ready 200: keys loaded,
 * Cognito reachable, every sign-out in Redis read). Should one not get there, all are stopped.
 */
export async function startInstances(count: number, env: Record<string, string>): Promise<Instances> {
  const dir = mkdtempSync(join(tmpdir(), 'instances-'));
  const all: Instance[] = [];
  const stop = async () => {
    await Promise.all(all.map(({ process }) => stopProcess(process)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const started = run({ ...env, HOST: '127.0.0.1', PORT: String(port) }, dir);
      const url = `http://127.0.0.1:${port}/graphql`;
      all.push({
        name: String.fromCharCode(65 + i),
        url,
        process: started,
        gql: (query, variables, token, headers) => postGraphQL(url, { query, variables }, token, headers),
      });
    }
    await Promise.all(all.map((instance) => untilReady(instance)));
  } catch (error) {
    await stop();
    throw error;
  }
  let turn = 0;
  return { all, next: () => all[turn++ % all.length], stop };
}

async function untilReady(instance: Instance, timeoutMs = 30000): Promise<void> {
  const ready = instance.url.replace(/\/graphql$/, '/health/ready');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (instance.process.child.exitCode !== null) {
      throw new Error(`instance ${instance.name} exited:\n${instance.process.output()}`);
    }
    const response = await fetch(ready).catch(() => undefined);
    if (response?.status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(`instance ${instance.name} never became ready:\n${instance.process.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, as a platform stops a replica; SIGKILL should it not exit within 10 s. */
async function stopProcess({ child, exited }: Started): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  await exited;
  clearTimeout(timer);
}
