// Issue 9, section 7: Redis faults under load, on a redis-server and a PostgreSQL cluster of this
// file's own (never the machine's shared ones): kill (then a restart on the same port), SIGSTOP
// pause and FLUSHALL, while two instances serve three writers and two incremental readers. Redis is
// only a cache and a bus, so each must leave every invariant of fault-load.ts intact: every
// acknowledged write exactly once, no skipped change (the pull cache must never hide one),
// convergence, lastMutationId never back, no request over HANG_BOUND_MS; recovery time printed.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from './support/api.ts';
import { HANG_BOUND_MS } from './support/fault-load.ts';
import { startDeployment, underLoad, type Deployment } from './support/fault-deployment.ts';

const OUTAGE_MS = 3000;
const PAUSE_MS = 5000;

describe('Redis faults under load (two instances, own redis-server and cluster)', () => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await startDeployment();
  });
  afterAll(async () => {
    await deployment?.destroy();
  });

  it('survives Redis killed (SIGKILL) and started again', async () => {
    await underLoad(deployment, `redis killed, back after ${OUTAGE_MS} ms`, async () => {
      await deployment.redis.kill('SIGKILL');
      await sleep(OUTAGE_MS);
      await deployment.restartRedis();
      return Date.now();
    });
  });

  it(`survives Redis paused (SIGSTOP) for ${PAUSE_MS} ms, every request within ${HANG_BOUND_MS} ms`, async () => {
    await underLoad(deployment, `redis paused ${PAUSE_MS} ms`, async () => {
      deployment.redis.child.kill('SIGSTOP');
      try {
        await sleep(PAUSE_MS);
      } finally {
        deployment.redis.child.kill('SIGCONT');
      }
      return Date.now();
    });
  });

  it('survives FLUSHALL mid-load: the cache never hides a change afterwards', async () => {
    await underLoad(deployment, 'redis FLUSHALL', async () => {
      const admin = new Redis(deployment.redis.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await admin.flushall()).toBe('OK');
        await sleep(500);
        // Twice, so a cache refilled right after the first flush is thrown away again mid-load.
        expect(await admin.flushall()).toBe('OK');
      } finally {
        admin.disconnect();
      }
      return Date.now();
    });
  });
});
