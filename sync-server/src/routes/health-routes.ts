/** Liveness and readiness (metrics: metrics-route.ts). */
import { Router } from 'express';
import type { SyncCache } from '../cache/sync-cache.ts';
import type pg from 'pg';
import type { Timers } from '../clock.ts';
import type { ReadReplica } from '../db/read-replica.ts';
import { pingDatabase } from '../store/database-ping.ts';

export function healthRoutes(pool: pg.Pool, cache: SyncCache, timers: Timers, replica: ReadReplica): { api: Router } {
  const api = Router();
  const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
    Promise.race([promise, new Promise<T>((_, reject) => timers.setTimeout(() => reject(new Error('timeout')), ms).unref())]);
  api.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  api.get('/ready', async (_req, res) => {
    const postgres = await withTimeout(pingDatabase(pool), 2000).then(
      () => true,
      () => false,
    );
    const redisUp = await withTimeout(cache.kv.up(), 1000).catch(() => false);
    res.status(postgres ? 200 : 503).json({
      status: postgres ? 'ready' : 'unavailable',
      postgres: { up: postgres },
      redis: { up: redisUp, mode: cache.kv.mode },
      // A replica that is down or behind is bypassed, never a reason not to be ready.
      replica: replica.status(),
    });
  });

  return { api };
}
