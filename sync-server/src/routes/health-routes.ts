/** Liveness and readiness (metrics: metrics-route.ts). */
import { Router } from 'express';
import type { SyncCache } from '../cache/sync-cache.ts';
import type pg from 'pg';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

export function healthRoutes(pool: pg.Pool, cache: SyncCache): { api: Router } {
  const api = Router();
  api.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  api.get('/ready', async (_req, res) => {
    const postgres = await withTimeout(pool.query('SELECT 1'), 2000).then(() => true, () => false);
    const redisUp = await withTimeout(cache.kv.up(), 1000).catch(() => false);
    res.status(postgres ? 200 : 503).json({
      status: postgres ? 'ready' : 'unavailable',
      postgres: { up: postgres },
      redis: { up: redisUp, mode: cache.kv.mode },
    });
  });

  return { api };
}
