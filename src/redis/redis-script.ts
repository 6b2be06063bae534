import type { RedisClient } from './redis-link';

export type RedisScript = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * A Lua script run by its SHA (sent whole only when Redis does not know it yet). Every key it
 * touches must be among `keys` and, on a cluster, in one hash slot.
 */
export function defineScript(client: RedisClient, name: string, lua: string, numberOfKeys: number): RedisScript {
  client.defineCommand(name, { lua, numberOfKeys });
  const command = (client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[name];
  return (keys, args) => command.call(client, ...keys, ...args);
}
