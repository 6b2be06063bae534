import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig, RedisSettings } from '../../src/config/config';
import { RedisLink } from '../../src/redis/redis-link';
import { CapturingLogger } from './capturing-logger';
import { RedisCluster, RedisServer, startRedis, startRedisCluster } from './redis-server';

/** Where a test's Redis is: one server (REDIS_URL) or a cluster's seed nodes (REDIS_CLUSTER_NODES). */
export type RedisTarget = { url: string } | { nodes: string };

/** Settings as the server reads them from its environment, with a key prefix of the test's own. */
export function redisSettings(target: RedisTarget, keyPrefix: string): RedisSettings {
  const where = 'url' in target ? { REDIS_URL: target.url } : { REDIS_CLUSTER_NODES: target.nodes };
  const settings = parseConfig({ ...where, REDIS_KEY_PREFIX: keyPrefix }).redis;
  if (!settings) throw new Error('no Redis settings read');
  return settings;
}

/** A prefix no other test uses, so that a test sees only its own keys in a shared Redis. */
export function freshPrefix(label: string): string {
  return `t${randomBytes(4).toString('hex')}:${label}:`;
}

/** A link as the server makes it, once it is connected (a store used before would fall back). */
export async function connect(target: RedisTarget, keyPrefix: string): Promise<RedisLink> {
  const link = new RedisLink(redisSettings(target, keyPrefix));
  try {
    await until(() => link.ready, 'Redis connected');
  } catch (error) {
    // Else it would go on reconnecting, and keep Jest from exiting.
    link.client.disconnect();
    throw error;
  }
  return link;
}

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(intervalMs);
  }
}

/** The ports of the nodes that hold keys: the one server, or each seed node of a cluster (all its masters here). */
export function portsOf(target: RedisTarget): number[] {
  const urls = 'url' in target ? [target.url] : target.nodes.split(',');
  return urls.map((url) => Number(new URL(url).port));
}

/** One Redis and one three-master cluster, both or neither (the one that started is stopped again). */
async function startSingleAndCluster(): Promise<{ single: RedisServer; cluster: RedisCluster }> {
  const [single, cluster] = await Promise.allSettled([startRedis(), startRedisCluster(3)]);
  if (single.status === 'fulfilled' && cluster.status === 'fulfilled') {
    return { single: single.value, cluster: cluster.value };
  }
  await Promise.all(
    [single, cluster].flatMap((started) => (started.status === 'fulfilled' ? [started.value.stop()] : [])),
  );
  throw [single, cluster].find((started) => started.status === 'rejected')!.reason;
}

/** A backend of a contract: a name, and a fresh store (with what the test needs of it) on each `open`. */
export interface Backend<Opened, Args extends unknown[] = []> {
  name: string;
  open(...args: Args): Promise<Opened>;
}

/** A backend in Redis, and where that Redis is. */
export interface RedisBackend<Opened, Args extends unknown[] = []> extends Backend<Opened, Args> {
  target(): RedisTarget;
}

/** What a contract file gets from `redisForContracts()`: filled in once its beforeAll has run. */
export interface ContractRedis {
  single: RedisServer;
  cluster: RedisCluster;
  /** Every line logged (Nest's Logger) from the file's start on. */
  logs: CapturingLogger;
}

/**
 * For a contract file: one Redis and one three-master cluster, started before its tests and
 * stopped after them, Nest's log captured, and a backend on each made by `inRedis`.
 */
export function redisForContracts<Opened, Args extends unknown[]>(
  inRedis: (name: string, target: () => RedisTarget) => RedisBackend<Opened, Args>,
): { redis: ContractRedis; redisSingle: RedisBackend<Opened, Args>; redisCluster: RedisBackend<Opened, Args> } {
  const redis = { logs: new CapturingLogger() } as ContractRedis;
  beforeAll(async () => {
    Logger.overrideLogger(redis.logs);
    Object.assign(redis, await startSingleAndCluster());
  }, 60_000);
  afterAll(async () => {
    await Promise.all([redis.single?.stop(), redis.cluster?.stop()]);
  });
  return {
    redis,
    redisSingle: inRedis('in Redis', () => ({ url: redis.single.url })),
    redisCluster: inRedis('in a Redis Cluster (3 masters)', () => ({ nodes: redis.cluster.nodes })),
  };
}
