// Issue 9, section 7: Postgres faults under load, on a cluster of this file's own (never the
// machine's shared server): restart, stop, crash and SIGSTOP pause while two instances serve three
// writers and two incremental readers. After each: every acknowledged write exactly once, no
// skipped change, convergence, lastMutationId never back, no request over HANG_BOUND_MS, recovery
// time printed. One cluster and one deployment for the whole file; each test makes its own users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANG_BOUND_MS } from './support/fault-load.ts';
import { startDeployment, underLoad, type Deployment } from './support/fault-deployment.ts';
import { sleep } from './support/api.ts';

/** Longer than HANG_BOUND_MS, so a request that waits for the whole pause breaks the bound. */
const PAUSE_MS = HANG_BOUND_MS + 3000;
const OUTAGE_MS = 3000;

describe('Postgres faults under load (two instances, own cluster)', () => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await startDeployment();
  });
  afterAll(async () => {
    await deployment?.destroy();
  });

  it('survives a Postgres restart', async () => {
    await underLoad(deployment, 'postgres restart', async () => {
      await deployment.cluster.restart();
      return Date.now();
    });
  });

  it('survives Postgres stopped for a while, then started', async () => {
    await underLoad(deployment, `postgres stopped ${OUTAGE_MS} ms`, async () => {
      await deployment.cluster.stop();
      await sleep(OUTAGE_MS);
      await deployment.cluster.start();
      return Date.now();
    });
  });

  it('survives a Postgres crash (immediate shutdown, recovery at start)', async () => {
    await underLoad(deployment, 'postgres crash', async () => {
      await deployment.cluster.crash();
      await sleep(1000);
      await deployment.cluster.start();
      return Date.now();
    });
  });

  it(`answers within ${HANG_BOUND_MS} ms while Postgres is paused (SIGSTOP) for ${PAUSE_MS} ms, /api/ready says 503, and recovers`, async () => {
    const ready: Array<{ target: string; status: number; ms: number }> = [];
    await underLoad(deployment, `postgres paused ${PAUSE_MS} ms`, async () => {
      deployment.cluster.pause();
      const pausedAt = Date.now();
      try {
        await sleep(1000);
        // Readiness must say so, and in bounded time, while Postgres does not answer.
        await Promise.all(
          deployment.targets.map(async (target) => {
            const started = Date.now();
            const res = await fetch(`${target.url}/api/ready`, { signal: AbortSignal.timeout(PAUSE_MS + 10_000) }).catch(() => null);
            ready.push({ target: target.name, status: res?.status ?? 0, ms: Date.now() - started });
          }),
        );
        await sleep(Math.max(0, pausedAt + PAUSE_MS - Date.now()));
      } finally {
        deployment.cluster.resume();
      }
      return Date.now();
    });
    console.log(`[fault: postgres paused] /api/ready during the pause: ${JSON.stringify(ready)}`);
    expect(
      ready.map((r) => r.status),
      '/api/ready answers 503 while Postgres is paused',
    ).toEqual([503, 503]);
    expect(Math.max(...ready.map((r) => r.ms)), `/api/ready answers within ${HANG_BOUND_MS} ms`).toBeLessThan(HANG_BOUND_MS);
  });
});
