import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig, RedisSettings } from '../../src/config/config';
import { RedisLink } from '../../src/redis/redis-link';
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

/** Every key under the link's prefix, on every master of a cluster. */
export async function keysUnder(link: RedisLink): Promise<string[]> {
  const client = link.client;
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${link.key('')}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}

/** The remaining life of each key (ms): -1 is a key without an expiry, -2 one already gone. */
export async function ttls(link: RedisLink, keys: string[]): Promise<Record<string, number>> {
  const entries = await Promise.all(keys.map(async (key) => [key, await link.client.pttl(key)] as const));
  return Object.fromEntries(entries);
}

/** One Redis and one three-master cluster, both or neither (the one that started is stopped again). */
export async function startSingleAndCluster(): Promise<{ single: RedisServer; cluster: RedisCluster }> {
  const [single, cluster] = await Promise.allSettled([startRedis(), startRedisCluster(3)]);
  if (single.status === 'fulfilled' && cluster.status === 'fulfilled') {
    return { single: single.value, cluster: cluster.value };
  }
  await Promise.all(
    [single, cluster].map((started) => (started.status === 'fulfilled' ? started.value.stop() : undefined)),
  );
  throw [single, cluster].find((started) => started.status === 'rejected')!.reason;
}
