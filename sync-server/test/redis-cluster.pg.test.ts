// Issue 10, point 4: Redis Cluster (REDIS_CLUSTER_NODES). A 3-master cluster with a replica per
// master, of this file's own. The cache's keys share one hash tag, so the epoch guard holds when
// that node is flushed or fails over; a raise a replica did not get counts as missed. Two server
// processes on the cluster: a push on one pokes a device on the other; a master killed, a replica
// taking over with CLUSTER FAILOVER and every master flushed, each mid-load: nothing lost, recovered.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { createRedisClient, slotTag, type RedisClient } from '../src/cache/redis-client.ts';
import { RedisKv } from '../src/cache/redis-kv.ts';
import { SyncCache } from '../src/cache/sync-cache.ts';
import { rateLimiter } from '../src/limits/rate-limits.ts';
import { createTestDatabase } from './harness.ts';
import { account } from './support/accounts.ts';
import { linkPartners, push } from './support/api.ts';
import { underLoad, type LoadDeployment } from './support/fault-deployment.ts';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { sampleValue, scrapeMetrics } from './support/metrics-scrape.ts';
import { SyncClient, hlcAt } from './support/sync-client.ts';
import { WsProbe, closeAll } from './support/ws-probe.ts';

const COMMAND_MS = 500;

function clusterNodesOf(cluster: RedisCluster) {
  return cluster.nodes.split(',').map((entry) => {
    const [host = '', port = ''] = entry.split(':');
    return { host, port: Number(port) };
  });
}

describe('Redis Cluster (own 3 masters, a replica each)', () => {
  let cluster: RedisCluster;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'duet-cluster-data-'));
  }, 120_000);

  afterAll(async () => {
    await killAllServerProcesses();
    await cluster?.destroy();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('the cache on the cluster', () => {
    let client: RedisClient;
    let prefix: string;
    let missed = 0;

    function cacheOf(): SyncCache {
      const registry = new Registry();
      const kv = new RedisKv(
        client,
        prefix,
        () => {},
        () => {},
        2000,
        COMMAND_MS,
      );
      const cache = new SyncCache(
        kv,
        new Counter({ name: 'cluster_test_cache', help: 'test', labelNames: ['cache', 'result'], registers: [registry] }),
        Date.now,
      );
      cache.onMissedWrite = async () => {
        missed++;
      };
      return cache;
    }

    /** The master holding every cache key (they share one hash tag). */
    const cacheMaster = () => cluster.masterOf(`${slotTag(prefix, 'cache')}epoch`);

    beforeAll(async () => {
      client = createRedisClient({
        redisUrl: null,
        redisClusterNodes: clusterNodesOf(cluster),
        redisTimeouts: { commandMs: COMMAND_MS },
      }) as RedisClient;
      client.on('error', () => {});
      await client.connect();
    });
    afterAll(() => client?.disconnect());

    it('answers "nothing new" from the cluster, and never from a fill read before its node was flushed', async () => {
      prefix = `duet_cluster_${randomBytes(4).toString('hex')}:`;
      const cache = cacheOf();
      const cursor = new Map([['space-1', 5]]);
      await cache.rememberPull(await cache.epoch(), 'user-1', 'client-1', ['space-1'], cursor, 2);
      expect(await cache.emptyPull('user-1', 'client-1', cursor), 'a cached "nothing new" on the cluster').toBe(2);

      // A reader takes the epoch and reads head 5 from Postgres; a writer commits 6 and raises it;
      // the cache's node is flushed (the raise is gone); the reader then fills its old head.
      const readerEpoch = await cache.epoch();
      await cache.afterPushCommit(new Map([['space-1', 6]]), { userId: 'user-1', clientId: 'client-1', value: 3 });
      await cluster.flush(await cacheMaster());
      await cache.rememberPull(readerEpoch, 'user-1', 'client-1', ['space-1'], cursor, 2);
      expect(await cache.emptyPull('user-1', 'client-1', cursor), 'the old head must not come back as "nothing new"').toBeNull();

      // Flushing the other masters (rate limits, presence live there) leaves the cache as it was.
      const fresh = new Map([['space-1', 6]]);
      await cache.rememberPull(await cache.epoch(), 'user-1', 'client-1', ['space-1'], fresh, 3);
      const holder = await cacheMaster();
      for (const node of await cluster.roles()) if (node.role === 'master' && node.port !== holder) await cluster.flush(node.port);
      expect(await cache.emptyPull('user-1', 'client-1', fresh)).toBe(3);
    });

    it('shares rate-limit counts between instances through the cluster', async () => {
      const keyPrefix = `duet_cluster_${randomBytes(4).toString('hex')}:limit`;
      // Two instances' limiters on one cluster: the third request, wherever it lands, is over the limit.
      const [first, second] = [
        rateLimiter(client, keyPrefix, { points: 2, windowSec: 60 }),
        rateLimiter(client, keyPrefix, { points: 2, windowSec: 60 }),
      ];
      const keys = ['device-a', 'device-b', 'device-c', 'device-d'];
      for (const key of keys) {
        await first.consume(key);
        await first.consume(key);
        // In memory, the second would count its first request; through the cluster it sees two.
        await expect(second.consume(key), `${key}: the count is shared, not per instance`).rejects.toHaveProperty('msBeforeNext');
      }
      // The counters are spread over the masters, not on one slot.
      const holders = new Set(await Promise.all(keys.map((key) => cluster.masterOf(`${keyPrefix}:${key}`))));
      expect(holders.size).toBeGreaterThan(1);
    });

    it('counts a raise its replica did not get as a missed write (a failover would lose it)', async () => {
      prefix = `duet_cluster_${randomBytes(4).toString('hex')}:`;
      const cache = cacheOf();
      const cursor = new Map([['space-2', 1]]);
      await cache.rememberPull(await cache.epoch(), 'user-2', 'client-2', ['space-2'], cursor, 0);
      const master = await cacheMaster();
      const replica = await cluster.replicaOf(master);
      expect(replica, 'the cache master has a replica').not.toBeNull();

      const before = missed;
      await cache.afterPushCommit(new Map([['space-2', 2]]), { userId: 'user-2', clientId: 'client-2', value: 1 });
      expect(missed, 'copied to the replica: not missed').toBe(before);

      cluster.pause(replica as number);
      try {
        await cache.afterPushCommit(new Map([['space-2', 3]]), { userId: 'user-2', clientId: 'client-2', value: 2 });
        expect(missed, 'the replica never got it: missed, the others are told').toBe(before + 1);
        expect(await cache.emptyPull('user-2', 'client-2', new Map([['space-2', 3]])), 'and the cache is not read meanwhile').toBeNull();
      } finally {
        cluster.resume(replica as number);
      }
    });
  });

  describe('two instances on the cluster', () => {
    let deployment: LoadDeployment;
    const prefix = `duet_cluster_${randomBytes(4).toString('hex')}:`;

    beforeAll(async () => {
      const env = { DATABASE_URL: database.url, REDIS_CLUSTER_NODES: cluster.nodes, REDIS_PREFIX: prefix, DATA_DIR: dataDir };
      const first = await startServerProcess(env);
      const second = await startServerProcess(env);
      deployment = {
        targets: [
          { name: 'A', url: first.url },
          { name: 'B', url: second.url },
        ],
        processes: [first, second],
      };
    }, 120_000);

    async function becomesMaster(port: number): Promise<void> {
      const deadline = Date.now() + 30_000;
      while ((await cluster.roles()).find((r) => r.port === port)?.role !== 'master') {
        if (Date.now() > deadline) throw new Error(`the replica on ${port} did not take over`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    /** A push through A pokes the partner's socket on B. */
    async function pokeAcross(): Promise<void> {
      const [a, b] = deployment.targets;
      const ana = await account(a, 'Ana');
      const ben = await account(a, 'Ben');
      const spaceId = await linkPartners(a, ana.token, ben.token);
      const benOnB = await WsProbe.authed(b, ben.token);
      try {
        await benOnB.waitFor((f) => f.type === 'poke', { what: 'the welcome poke' });
        const mark = benOnB.mark;
        const clientId = `poke-${newId()}`;
        await push(a, ana.token, clientId, [
          { id: 1, name: 'conversation.create', args: { id: newId(), spaceId, title: 'across' }, hlc: hlcAt(Date.now(), clientId) },
        ]);
        await benOnB.waitFor((f) => f.type === 'poke', { after: mark, timeoutMs: 10_000, what: 'a poke on B for the push on A' });
      } finally {
        await closeAll([benOnB]);
      }
    }

    it('pokes a device on one instance after a push on the other, and answers "nothing new" from the cluster', async () => {
      await pokeAcross();
      const [a, b] = deployment.targets;
      const who = await account(a, 'Cleo');
      const device = new SyncClient(b, who.token, `cache-${newId()}`);
      await device.pull();
      await device.pull();
      const hits = async () => sampleValue(await scrapeMetrics(b), 'duet_cache_requests_total', { cache: 'pull', result: 'hit' });
      const before = await hits();
      await device.pull();
      expect(await hits(), 'a repeated pull is answered from the cluster').toBe(before + 1);
    });

    it('loses nothing when the master of the cache is killed mid-load, and recovers', async () => {
      await underLoad(deployment, 'redis cluster: cache master killed', async () => {
        const master = await cluster.masterOf(`${slotTag(prefix, 'cache')}epoch`);
        const replica = await cluster.replicaOf(master);
        if (replica === null) throw new Error('the cache master has no replica');
        await cluster.kill(master);
        await becomesMaster(replica);
        await cluster.healthy();
        return Date.now();
      });
      await pokeAcross();
    });

    it('loses nothing when a replica takes over with CLUSTER FAILOVER mid-load', async () => {
      await underLoad(deployment, 'redis cluster: CLUSTER FAILOVER', async () => {
        const roles = await cluster.roles();
        const replica = roles.find((r) => r.role === 'replica');
        if (!replica) throw new Error('no replica left');
        await cluster.failover(replica.port);
        await becomesMaster(replica.port);
        await cluster.healthy();
        return Date.now();
      });
      await pokeAcross();
    });

    it('loses nothing and skips nothing when every master is flushed mid-load', async () => {
      await underLoad(deployment, 'redis cluster: every master flushed', async () => {
        for (const node of (await cluster.roles()).filter((r) => r.role === 'master')) {
          await cluster.flush(node.port);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        return Date.now();
      });
      await pokeAcross();
    });
  });
});
