import { Redis } from 'ioredis';

/** A key as the node that holds it answers: its time to live (ms) and its value as text. */
export interface DumpedKey {
  port: number;
  name: string;
  type: string;
  /** PTTL: -1 for a key without expiry. */
  pttl: number;
  values: string[];
}

/**
 * Every key of the Redis nodes on `ports` (database 0) that starts with `prefix`, with its type,
 * expiry and value. A cluster's masters each hold their own slots: each is scanned on its own (a
 * plain connection, not a cluster client).
 */
export async function dumpKeys(ports: number[], prefix = ''): Promise<DumpedKey[]> {
  const keys: DumpedKey[] = [];
  for (const port of ports) {
    const node = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await node.connect();
      const names: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
        names.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      for (const name of names) {
        const type = await node.type(name);
        keys.push({ port, name, type, pttl: await node.pttl(name), values: await valuesOf(node, name, type) });
      }
    } finally {
      node.disconnect();
    }
  }
  return keys;
}

async function valuesOf(node: Redis, name: string, type: string): Promise<string[]> {
  switch (type) {
    case 'string':
      return [(await node.get(name)) ?? ''];
    case 'stream':
      return (await node.xrange(name, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    case 'hash':
      return Object.entries(await node.hgetall(name)).flat();
    case 'list':
      return node.lrange(name, 0, -1);
    case 'set':
      return node.smembers(name);
    case 'zset':
      return node.zrange(name, '0', '-1', 'WITHSCORES');
    default:
      return [`(a ${type}, which this test cannot read)`];
  }
}

/** `text` matched as it is by SCAN's MATCH, in whose patterns `*`, `?`, `[`, `]` and the backslash are wildcards or escapes. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
