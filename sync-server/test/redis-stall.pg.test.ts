// A stalled or lost Redis (issue 9, section 2): pushes keep their pace while Redis is stopped
// (SIGSTOP: connected, never answering), since no cache call waits inside the push transaction and
// a circuit breaker sends everything to Postgres after the first timeout; and once Redis is back
// after an outage, every connected device is poked (pokes published meanwhile were lost). Runs
// against a redis-server of this test's own; the machine's shared Redis is never touched that way.
import { performance } from 'node:perf_hooks';
import { newId } from '@duet/shared';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { account, type Account } from './support/accounts.ts';
import { sleep, type HasUrl } from './support/api.ts';
import { killAllRedisProcesses, startRedisProcess, type RedisProcess } from './support/redis-process.ts';
import { SyncClient } from './support/sync-client.ts';
import { WsProbe } from './support/ws-probe.ts';

const CONCURRENCY = 4;
const PUSHES = 240;

interface Load {
  perSecond: number;
  p95Ms: number;
}

/** PUSHES one-mutation pushes from CONCURRENCY clients at once, each waiting for its previous answer. */
async function pushLoad(server: HasUrl, who: Account): Promise<Load> {
  const latencies: number[] = [];
  const started = performance.now();
  const clients = Array.from({ length: CONCURRENCY }, () => new SyncClient(server, who.token));
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < PUSHES / CONCURRENCY; i++) {
        client.mutate('conversation.create', { id: newId(), spaceId: who.personalSpaceId, title: `load ${i}` });
        const before = performance.now();
        await client.push();
        latencies.push(performance.now() - before);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { perSecond: (PUSHES / elapsed) * 1000, p95Ms: latencies[Math.floor(latencies.length * 0.95)] ?? Infinity };
}

async function redisUp(server: HasUrl): Promise<boolean> {
  const res = await request(server.url).get('/api/ready');
  return (res.body as { redis?: { up?: boolean } }).redis?.up === true;
}

async function waitForRedis(server: HasUrl, up: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await redisUp(server)) !== up) {
    if (Date.now() > deadline) throw new Error(`/api/ready did not say redis.up=${up} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('with Redis stalled or lost', () => {
  let redis: RedisProcess;
  let server: TestServer | undefined;

  beforeAll(async () => {
    redis = await startRedisProcess();
    // The push limit stays on (a stalled Redis must not slow it either), above this test's load.
    server = await startTestServer({
      redisUrl: redis.url,
      syncRateLimit: { pushPerDevice: 100_000, pullPerDevice: 100_000, windowSec: 10 },
    });
  }, 60_000);
  afterAll(async () => {
    redis.child.kill('SIGCONT');
    await server?.close();
    await killAllRedisProcesses();
  });

  it('keeps pushes within 2x of their normal rate and p95 while Redis is stopped', async () => {
    const app = server as TestServer;
    const who = await account(app, 'Steady');
    await pushLoad(app, who); // warm-up: connections, caches, JIT
    const normal = await pushLoad(app, who);
    redis.child.kill('SIGSTOP');
    let stalled: Load;
    try {
      stalled = await pushLoad(app, who);
    } finally {
      redis.child.kill('SIGCONT');
    }
    const report = `normal ${JSON.stringify(normal)}, Redis stopped ${JSON.stringify(stalled)}`;
    expect(stalled.perSecond, report).toBeGreaterThanOrEqual(normal.perSecond / 2);
    expect(stalled.p95Ms, report).toBeLessThanOrEqual(normal.p95Ms * 2);
  }, 120_000);

  it('pokes every connected device once Redis is back after an outage', async () => {
    const app = server as TestServer;
    const who = await account(app, 'Poked');
    const socket = await WsProbe.authed(app, who.token);
    try {
      const port = redis.port;
      await redis.kill('SIGKILL');
      await waitForRedis(app, false, 10_000);
      const mark = socket.mark;
      redis = await startRedisProcess(port);
      await socket.waitFor((f) => f.type === 'poke', { after: mark, timeoutMs: 15_000, what: 'a poke after Redis came back' });
      // Once per outage, not once per reconnect event.
      await waitForRedis(app, true, 10_000);
      await sleep(500);
      expect(socket.pokes(mark)).toBe(1);
    } finally {
      await socket.close();
    }
  }, 60_000);
});
