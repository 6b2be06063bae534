import { Logger } from '@nestjs/common';
import { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from '../config/config';
import { describeError } from '../common/text';

/** One Redis or a cluster: the same commands on both (every call we make touches one hash slot). */
export type RedisClient = Redis | Cluster;

// Reconnect soon after a loss (a Redis restart takes well under a second), never more than once a second.
const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * The connection to the Redis that holds what every instance must agree on. Each call fails
 * within `timeoutMs` (REDIS_TIMEOUT_MS), connecting included, and fails at once while no
 * connection is up (no queue of calls waiting for Redis to come back): callers decide what to do
 * without it. The log says when Redis goes away and when it is back, once each.
 */
export class RedisLink {
  readonly client: RedisClient;
  private readonly logger = new Logger('Redis');
  private up?: boolean;

  constructor(private readonly settings: RedisSettings) {
    this.client = createClient(settings, { commandTimeout: settings.timeoutMs });
    this.client.on('ready', () => {
      if (this.up === false) this.logger.log('Redis answers again');
      this.up = true;
    });
    this.client.on('error', (error: Error) => this.down(error));
    this.client.on('close', () => this.down());
  }

  /** Connected and answering (as far as we know: a frozen Redis is found out by the next call's timeout). */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** A key of ours: REDIS_KEY_PREFIX first. */
  key(name: string): string {
    return `${this.settings.keyPrefix}${name}`;
  }

  /**
   * A second connection for blocking reads (XREAD BLOCK), which would hold up every other call
   * on a shared one. Its calls may wait as long as they block, plus the timeout.
   */
  blockingConnection(): RedisClient {
    return createClient(this.settings, {
      blockingTimeout: this.settings.timeoutMs,
      blockingTimeoutGrace: this.settings.timeoutMs,
    });
  }

  async close(): Promise<void> {
    this.up = undefined;
    await quit(this.client);
  }

  private down(error?: Error): void {
    if (this.up === undefined && !error) return;
    if (this.up !== false) {
      const why = error ? describeError(error) : 'connection closed';
      this.logger.warn(`Redis does not answer (${why}): shared state unavailable until it does`);
    }
    this.up = false;
  }
}

/** Closes a connection, politely if Redis answers, at once if not. */
async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  await client.quit().catch(() => client.disconnect());
}

function createClient(settings: RedisSettings, timeouts: Partial<RedisOptions>): RedisClient {
  const connection: RedisOptions = {
    username: settings.username,
    password: settings.password,
    tls: settings.tls ? {} : undefined,
    connectTimeout: settings.timeoutMs,
    // A call made while Redis is away fails at once, and one in flight when the connection drops
    // is not sent again: a caller never waits for a reconnection.
    maxRetriesPerRequest: 0,
    connectionName: 'cognito-graphql-auth',
    ...timeouts,
  };
  if (settings.cluster) {
    const options: ClusterOptions = {
      redisOptions: connection,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: settings.timeoutMs,
      // Connect to the nodes by the names the cluster gives: TLS checks the certificate against
      // them (ElastiCache cluster mode with TLS needs this, per ioredis's documentation).
      ...(settings.tls && { dnsLookup: (address, callback) => callback(null, address) }),
    };
    return new Cluster(settings.nodes, options);
  }
  const [node] = settings.nodes;
  return new Redis({
    ...connection,
    ...node,
    db: settings.db,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  });
}
