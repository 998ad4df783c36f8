// Issue 10, point 3: read replicas. A primary and a streaming replica of this file's own
// (pg_basebackup -R, never the machine's shared server), lag injected with pg_wal_replay_pause() on
// the replica: pushes through one instance, pulls through another that reads the replica. No skipped
// change, convergence, and lastMutationId never claims a mutation whose change the pull lacked.
// A replica stopped or stalled: pulls still served, /api/ready says it is bypassed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { account, clientOf, type Account } from './support/accounts.ts';
import { linkPartners, me, sleep } from './support/api.ts';
import { underLoad, type LoadDeployment } from './support/fault-deployment.ts';
import { HANG_BOUND_MS, waitUntil } from './support/fault-load.ts';
import { sampleValue, scrapeMetrics } from './support/metrics-scrape.ts';
import { startPgCluster, startPgReplica, type PgCluster, type PgReplica } from './support/pg-cluster.ts';
import { killAllRedisProcesses, startRedisProcess, type RedisProcess } from './support/redis-process.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { entityIn } from './support/sync-client.ts';

interface ReplicaStatusBody {
  configured: boolean;
  up: boolean;
  lagMs: number | null;
  bypassed: boolean;
  reason: string;
}

async function readiness(server: { url: string }): Promise<{ status: number; replica: ReplicaStatusBody }> {
  const res = await request(server.url).get('/api/ready');
  return { status: res.status, replica: (res.body as { replica: ReplicaStatusBody }).replica };
}

async function reads(server: { url: string }, labels: Record<string, string>): Promise<number> {
  return sampleValue(await scrapeMetrics(server), 'duet_db_reads_total', labels);
}

/** Whether the replica itself holds the message yet (it must not, while replay is paused). */
async function replicaHas(replicaDbUrl: string, messageId: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: replicaDbUrl });
  await client.connect();
  try {
    const result = await client.query("SELECT 1 FROM entities WHERE kind = 'message' AND id = $1", [messageId]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

describe('read replica (own primary and streaming replica)', () => {
  let primary: PgCluster;
  let replica: PgReplica;
  let redis: RedisProcess;
  let databaseUrl: string;
  let replicaDbUrl: string;
  let dataDir: string;
  const prefix = `duet_replica_${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    primary = await startPgCluster();
    databaseUrl = await primary.createDatabase('duet');
    replica = await startPgReplica(primary);
    replicaDbUrl = replica.urlOf(databaseUrl);
    redis = await startRedisProcess();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'duet-replica-data-'));
  }, 120_000);

  afterAll(async () => {
    await killAllServerProcesses();
    await killAllRedisProcesses();
    await replica?.destroy();
    await primary?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('in process: which database answers', () => {
    let writer: TestServer;
    let reader: TestServer;
    let impatient: TestServer;
    let ana: Account;
    let ben: Account;
    let sharedSpaceId: string;

    beforeAll(async () => {
      const shared = { sharedDatabaseUrl: databaseUrl, redisPrefix: prefix };
      writer = await startTestServer({ redisUrl: redis.url }, shared);
      reader = await startTestServer(
        { redisUrl: redis.url, databaseReplica: { url: replicaDbUrl, maxLagMs: 3_600_000, timeoutMs: 2000 } },
        shared,
      );
      // Bypasses the replica as soon as it is half a second behind.
      impatient = await startTestServer(
        { redisUrl: redis.url, databaseReplica: { url: replicaDbUrl, maxLagMs: 500, timeoutMs: 2000 } },
        shared,
      );
      ana = await account(writer, 'Ana');
      ben = await account(writer, 'Ben');
      sharedSpaceId = await linkPartners(writer, ana.token, ben.token);
      await replica.caughtUp();
    }, 120_000);

    afterAll(async () => {
      await replica.resumeReplay().catch(() => {});
      await Promise.all([writer?.close(), reader?.close(), impatient?.close()]);
    });

    it('serves a pull from the replica when it has caught up, and from the primary while it is behind', async () => {
      const anaDevice = clientOf(writer, ana, 'ana');
      const conversationId = newId();
      anaDevice.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'lag' });
      await anaDevice.push();
      await replica.caughtUp();

      const benDevice = clientOf(reader, ben, 'ben');
      const fromReplica = await reads(reader, { route: 'pull', served_by: 'replica' });
      await benDevice.pull();
      expect(entityIn(benDevice.state, 'conversation', conversationId)?.title).toBe('lag');
      expect(await reads(reader, { route: 'pull', served_by: 'replica' }), 'a caught-up replica answers the pull').toBeGreaterThan(
        fromReplica,
      );

      await replica.pauseReplay();
      try {
        const messageId = newId();
        anaDevice.mutate('message.add', { id: messageId, conversationId, body: 'while the replica waits' });
        await anaDevice.push();
        await sleep(300);
        expect(await replicaHas(replicaDbUrl, messageId), 'the replica really is behind').toBe(false);

        const behind = await reads(reader, { route: 'pull', served_by: 'primary', reason: 'behind' });
        await benDevice.pull();
        expect(entityIn(benDevice.state, 'message', messageId)?.body, 'the pull still has the change').toBe('while the replica waits');
        expect(await reads(reader, { route: 'pull', served_by: 'primary', reason: 'behind' })).toBe(behind + 1);

        // The impatient instance counts the replica as too far behind once the lag passes its bound.
        await waitUntil('the impatient instance bypasses the lagging replica', async () => {
          const { status, replica: state } = await readiness(impatient);
          return status === 200 && state.bypassed && state.reason === 'lagging';
        });
        const { status, replica: lagging } = await readiness(reader);
        expect(status).toBe(200);
        expect(lagging.configured).toBe(true);
        expect(lagging.up).toBe(true);
        expect(lagging.lagMs ?? 0).toBeGreaterThan(0);
      } finally {
        await replica.resumeReplay();
      }
      await replica.caughtUp();
      await waitUntil('the impatient instance uses the replica again', async () => !(await readiness(impatient)).replica.bypassed);
    });

    it('keeps lastMutationId and the pulled state together while the replica is behind', async () => {
      const device = clientOf(reader, ana, 'ana-same');
      const conversationId = newId();
      await replica.pauseReplay();
      try {
        // Pushed through the writer, pulled by the same client through the reader.
        device.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'mine' });
        const messageId = newId();
        device.mutate('message.add', { id: messageId, conversationId, body: 'mine too' });
        const pushed = await pushThrough(writer, ana, device.clientId, device.outbox);
        expect(pushed).toBe(2);
        const caught = await device.pull();
        expect(caught.lastMutationId).toBe(2);
        expect(entityIn(device.state, 'conversation', conversationId)?.title).toBe('mine');
        expect(entityIn(device.state, 'message', messageId)?.body).toBe('mine too');
      } finally {
        await replica.resumeReplay();
      }
    });

    it('answers /api/me and /api/stats with what the primary has while the replica is behind', async () => {
      const cleo = await account(writer, 'Cleo');
      const dan = await account(writer, 'Dan');
      await replica.caughtUp();
      await replica.pauseReplay();
      try {
        const spaceId = await linkPartners(writer, cleo.token, dan.token);
        const spaces = (await me(reader, dan.token)).spaces.map((s) => s.id);
        expect(spaces, 'the new shared space, although the replica has not replayed it').toContain(spaceId);

        const device = clientOf(writer, dan, 'dan');
        const sessionId = newId();
        const now = Date.now();
        device.mutate('session.start', { id: sessionId, startedAt: now - 5 * 60_000 });
        device.mutate('session.end', { id: sessionId, endedAt: now - 1000 });
        await device.push();
        const stats = await request(reader.url).get('/api/stats').set('Authorization', `Bearer ${dan.token}`);
        expect(stats.status).toBe(200);
        expect((stats.body as { sessionsLast7Days: number }).sessionsLast7Days).toBe(1);
        expect(await reads(reader, { route: 'me', served_by: 'primary', reason: 'behind' })).toBeGreaterThan(0);
        expect(await reads(reader, { route: 'stats', served_by: 'primary', reason: 'behind' })).toBeGreaterThan(0);
      } finally {
        await replica.resumeReplay();
      }
      await replica.caughtUp();
      const before = await reads(reader, { route: 'me', served_by: 'replica' });
      expect((await me(reader, dan.token)).spaces).toHaveLength(2);
      expect(await reads(reader, { route: 'me', served_by: 'replica' }), 'caught up, the replica answers /api/me').toBe(before + 1);
    });
  });

  describe('under load, instances as processes', () => {
    let deployment: LoadDeployment;

    beforeAll(async () => {
      const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, REDIS_PREFIX: `${prefix}load:`, DATA_DIR: dataDir };
      const first = await startServerProcess(env);
      const second = await startServerProcess({
        ...env,
        DATABASE_REPLICA_URL: replicaDbUrl,
        DATABASE_REPLICA_MAX_LAG_MS: '3600000',
        DATABASE_REPLICA_TIMEOUT_MS: '1000',
      });
      deployment = {
        targets: [
          { name: 'A', url: first.url },
          { name: 'B (replica)', url: second.url },
        ],
        processes: [first, second],
      };
    }, 120_000);

    it('loses nothing while replay pauses and resumes under load', async () => {
      const replicaTarget = deployment.targets[1];
      const behindBefore = await reads(replicaTarget, { route: 'pull', served_by: 'primary', reason: 'behind' });
      const fromReplicaBefore = await reads(replicaTarget, { route: 'pull', served_by: 'replica' });
      await underLoad(deployment, 'replica replay paused and resumed', async () => {
        for (let round = 0; round < 3; round++) {
          await replica.pauseReplay();
          await sleep(1500);
          await replica.resumeReplay();
          await sleep(700);
        }
        return Date.now();
      });
      const behind = (await reads(replicaTarget, { route: 'pull', served_by: 'primary', reason: 'behind' })) - behindBefore;
      const fromReplica = (await reads(replicaTarget, { route: 'pull', served_by: 'replica' })) - fromReplicaBefore;
      console.log(`[replica lag] pulls through B: ${fromReplica} from the replica, ${behind} from the primary as the replica was behind`);
      expect(behind, 'some pulls found the replica behind').toBeGreaterThan(0);
      expect(fromReplica, 'some pulls were served by the replica').toBeGreaterThan(0);
    });

    it('serves every pull while the replica is stopped, then stalled, and says so in /api/ready', async () => {
      const replicaTarget = deployment.targets[1];
      const log = await underLoad(deployment, 'replica stopped, then SIGSTOPped', async () => {
        await replica.stop();
        await waitUntil('/api/ready shows the stopped replica bypassed', async () => {
          const { status, replica: state } = await readiness(replicaTarget);
          expect(status, '/api/ready stays 200 without the replica').toBe(200);
          return state.bypassed && state.reason === 'down' && !state.up;
        });
        await sleep(1000);
        await replica.start();
        await waitUntil('the replica is used again', async () => !(await readiness(replicaTarget)).replica.bypassed);
        replica.pause();
        try {
          await waitUntil('/api/ready shows the stalled replica bypassed', async () => (await readiness(replicaTarget)).replica.bypassed);
          await sleep(2000);
        } finally {
          replica.resume();
        }
        return Date.now();
      });
      const failed = log.requests.filter((r) => r.target === replicaTarget.name && r.path === '/api/sync/pull' && r.status !== 200);
      expect(
        failed.map((r) => `${r.status} ${r.code ?? r.error ?? ''} after ${r.ms} ms`),
        'no pull through the replica instance failed',
      ).toEqual([]);
      const slowest = Math.max(...log.requests.filter((r) => r.target === replicaTarget.name).map((r) => r.ms));
      expect(slowest, 'a stalled replica holds a request at most about its timeout').toBeLessThan(HANG_BOUND_MS);
    });
  });
});

/** Pushes mutations of `clientId` through `server`; returns the lastMutationId it answered. */
async function pushThrough(server: { url: string }, who: Account, clientId: string, mutations: unknown[]): Promise<number> {
  const res = await request(server.url).post('/api/sync/push').set('Authorization', `Bearer ${who.token}`).send({ clientId, mutations });
  expect(res.status).toBe(200);
  return (res.body as { lastMutationId: number }).lastMutationId;
}
