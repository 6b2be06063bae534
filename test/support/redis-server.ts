// One implementation for the tests and the benchmark scripts: see bench/lib/redis-server.js.
export { startRedis, startRedisCluster } from '../../bench/lib/redis-server';
export type RedisServer = Awaited<ReturnType<typeof import('../../bench/lib/redis-server').startRedis>>;
export type RedisCluster = Awaited<ReturnType<typeof import('../../bench/lib/redis-server').startRedisCluster>>;
