/**
 * The one place that makes the server's Redis connections: a single Redis (`REDIS_URL`) or a
 * Redis Cluster (`REDIS_CLUSTER_NODES`, ioredis `Cluster`), with the same bounds on every command.
 * Code that uses Redis takes a `RedisClient` and works on either; keys a script, MULTI or MGET uses
 * together must hash to one cluster slot, so they share a hash tag (`slotTag`).
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.ts';

export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  redisUrl: string | null;
  redisClusterNodes: ReadonlyArray<{ host: string; port: number }> | null;
  redisTimeouts: { commandMs: number };
}

/** Keep trying to come back, at most every 2 s. */
const retryStrategy = (times: number) => Math.min(times * 200, 2000);

/**
 * The server's Redis connection from its config, or null when neither REDIS_URL nor
 * REDIS_CLUSTER_NODES is set. Lazy: call `connect()`. No offline queue: while Redis is away a
 * command fails at once and the caller works from Postgres.
 */
export function createRedisClient(config: RedisTarget | Pick<Config, keyof RedisTarget>): RedisClient | null {
  const commandTimeout = config.redisTimeouts.commandMs;
  if (config.redisClusterNodes) {
    return new Cluster(
      config.redisClusterNodes.map((node) => ({ host: node.host, port: node.port })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: retryStrategy,
        // While a master fails over, commands to its slots are retried briefly, then fail (breaker).
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        maxRedirections: 8,
        slotsRefreshTimeout: 1000,
        slotsRefreshInterval: 2000,
        redisOptions: { maxRetriesPerRequest: 1, commandTimeout, connectTimeout: 2000 },
      },
    );
  }
  if (config.redisUrl) {
    return new Redis(config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      commandTimeout,
      retryStrategy,
    });
  }
  return null;
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * A second connection for SUBSCRIBE (a subscribed connection runs nothing else), queueing its
 * commands while disconnected so the subscription is made as soon as Redis is reachable.
 */
export function subscriberConnection(client: RedisClient): RedisClient {
  if (isCluster(client)) {
    return client.duplicate([], { enableOfflineQueue: true, redisOptions: { ...client.options.redisOptions, maxRetriesPerRequest: null } });
  }
  return client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
}

/**
 * A key prefix whose keys all hash to one cluster slot: `<prefix>{<group>}:`. Keys that one
 * command or script uses together must share it; on a single Redis it is an ordinary prefix.
 */
export function slotTag(prefix: string, group: string): string {
  return `${prefix}{${group}}:`;
}

/**
 * Whether a write of `key` must be copied to a replica before it counts (see RedisKv): on a
 * cluster whose master of that key has a replica, a write the master acknowledged and died before
 * copying is lost when the replica takes over. Without a replica there is nothing to take over.
 */
export function hasReplicas(client: RedisClient, key: string): boolean {
  if (!isCluster(client)) return false;
  // ioredis's slot table: per slot, the master's node key, then its replicas'.
  return (client.slots[calculateSlot(key)]?.length ?? 0) > 1;
}
