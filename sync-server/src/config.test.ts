import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

describe('the read replica and Redis Cluster settings', () => {
  it('reads DATABASE_REPLICA_URL with its bounds, and REDIS_CLUSTER_NODES as host and port pairs', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:secret@db:5432/duet',
      DATABASE_REPLICA_URL: 'postgres://app:secret@replica:5432/duet',
      DATABASE_REPLICA_MAX_LAG_MS: '2500',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001,redis-3:7002',
    });
    expect(config.databaseReplica).toEqual({ url: 'postgres://app:secret@replica:5432/duet', maxLagMs: 2500, timeoutMs: 2000 });
    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: 'redis-3', port: 7002 },
    ]);
    expect(config.redisUrl).toBeNull();
    const described = describeConfig(config) as { databaseReplica: { url: string }; redisUrl: string };
    expect(described.databaseReplica.url, 'the password is masked in logs').toBe('postgres://app:***@replica:5432/duet');
    expect(described.redisUrl).toBe('cluster');
  });

  it('defaults to no replica and no cluster', () => {
    const config = loadConfig({});
    expect(config.databaseReplica.url).toBeNull();
    expect(config.redisClusterNodes).toBeNull();
  });

  it.each([
    [{ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'r:7000' }, /set one of them/],
    [{ DATABASE_REPLICA_URL: 'postgres://replica/duet' }, /needs DATABASE_URL/],
    [{ REDIS_CLUSTER_NODES: 'r:7000,' }, /REDIS_CLUSTER_NODES/],
    [{ REDIS_CLUSTER_NODES: 'no-port' }, /REDIS_CLUSTER_NODES/],
    [{ DATABASE_URL: 'postgres://db/duet', DATABASE_REPLICA_URL: 'not a url' }, /DATABASE_REPLICA_URL/],
    [{ DATABASE_REPLICA_TIMEOUT_MS: '5' }, /DATABASE_REPLICA_TIMEOUT_MS/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
