/** Liveness and readiness (metrics: metrics-route.ts). */
import { Router } from 'express';
import type { SyncCache } from '../cache/sync-cache.ts';
import type pg from 'pg';
import type { Timers } from '../clock.ts';
import type { ReadReplica } from '../db/read-replica.ts';
import { pingDatabase } from '../store/database-ping.ts';

/** The mail server as /api/ready reports it: down while its circuit breaker is open; emails wait meanwhile. */
export interface EmailReadiness {
  up: boolean;
  mode: 'smtp' | 'file';
  /** Emails queued and not yet sent (null when the queue could not be read in time). */
  pending(): Promise<number>;
}

export function healthRoutes(
  pool: pg.Pool,
  cache: SyncCache,
  timers: Timers,
  replica: ReadReplica,
  email?: EmailReadiness,
): { api: Router } {
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
    // Email is not needed to serve requests: a mail server that is down is reported, not a 503.
    const pending = email && postgres ? await withTimeout(email.pending(), 1000).catch(() => null) : null;
    res.status(postgres ? 200 : 503).json({
      status: postgres ? 'ready' : 'unavailable',
      postgres: { up: postgres },
      redis: { up: redisUp, mode: cache.kv.mode },
      // A replica that is down or behind is bypassed, never a reason not to be ready.
      replica: replica.status(),
      ...(email ? { email: { up: email.up, mode: email.mode, pending } } : {}),
    });
  });

  return { api };
}
