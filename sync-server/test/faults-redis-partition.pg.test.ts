// Found by the Redis-kill fault test (issue 9, section 7), made deterministic here: while one
// instance cannot reach Redis and another can, a push through the cut-off instance commits without
// raising the cached heads, and a pull through the other instance answers "nothing new" from the
// cache, hiding an acknowledged write and sending lastMutationId back. (After a Redis restart
// this is the window until the last instance has reconnected.) Own cluster, redis-server and proxy.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { account } from './support/accounts.ts';
import { bearer, pull, push, sleep, type HasUrl } from './support/api.ts';
import { startPgCluster, type PgCluster } from './support/pg-cluster.ts';
import { killAllRedisProcesses, startRedisProcess } from './support/redis-process.ts';
import { killAllServerProcesses, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { hlcAt, keyOf } from './support/sync-client.ts';
import { startTcpPartition, type TcpPartition } from './support/tcp-partition.ts';

async function redisUp(server: HasUrl): Promise<boolean> {
  const res = await request(server.url).get('/api/ready');
  return (res.body as { redis?: { up?: boolean } }).redis?.up === true;
}

async function waitForRedis(server: HasUrl, up: boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await redisUp(server)) !== up) {
    if (Date.now() > deadline) throw new Error(`/api/ready did not report redis.up=${up} within 15 s`);
    await sleep(100);
  }
}

describe('one instance cut off from Redis while another reaches it', () => {
  let cluster: PgCluster | undefined;
  let partition: TcpPartition | undefined;
  let a: ServerProcess;
  let b: ServerProcess;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'duet-partition-data-'));

  beforeAll(async () => {
    cluster = await startPgCluster();
    const redis = await startRedisProcess();
    partition = await startTcpPartition(redis.port);
    const env = { DATABASE_URL: cluster.url, REDIS_PREFIX: `duet_partition_${newId()}:`, DATA_DIR: dataDir };
    a = await startServerProcess({ ...env, REDIS_URL: redis.url });
    b = await startServerProcess({ ...env, REDIS_URL: `redis://127.0.0.1:${partition.port}` });
  });
  afterAll(async () => {
    await killAllServerProcesses();
    await partition?.close();
    await killAllRedisProcesses();
    await cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('does not hide a push through the cut-off instance from a pull through the other one', async () => {
    const who = await account(a, 'Split');
    const clientId = `split-${newId()}`;
    const conversationId = newId();
    await push(a, who.token, clientId, [
      {
        id: 1,
        name: 'conversation.create',
        args: { id: conversationId, spaceId: who.personalSpaceId, title: 'split' },
        hlc: hlcAt(Date.now(), clientId, 1),
      },
    ]);
    // Caught up through A, twice: the second pull is answered from the cache.
    let cursor = (await pull(a, who.token, { clientId, cursor: null })).cursor;
    cursor = (await pull(a, who.token, { clientId, cursor })).cursor;

    partition?.cut();
    await waitForRedis(b, false);
    const messageId = newId();
    const pushed = await push(b, who.token, clientId, [
      { id: 2, name: 'message.add', args: { id: messageId, conversationId, body: 'through B' }, hlc: hlcAt(Date.now(), clientId, 2) },
    ]);
    expect(pushed.results.map((r) => r.status)).toEqual(['applied']);

    const page = await pull(a, who.token, { clientId, cursor });
    expect(
      page.changes.map((c) => keyOf(c.kind, c.id)),
      'the pull through A has the push acknowledged by B',
    ).toContain(keyOf('message', messageId));
    expect(page.lastMutationId, 'lastMutationId never goes back').toBeGreaterThanOrEqual(pushed.lastMutationId);

    partition?.heal();
    await waitForRedis(b, true);
    const me = await request(b.url).get('/api/me').set('Authorization', bearer(who.token));
    expect(me.status).toBe(200);
  });
});
