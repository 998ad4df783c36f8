/** GET /api/stats: streaks and recent activity, from the caller's sessions. */
import { SessionSchema, sessionStats } from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';

export function statsRoute(pool: pg.Pool, cache: SyncCache, auth: ReturnType<typeof authenticate>, now: () => number): Router {
  const router = Router();
  router.get('/stats', auth, async (req, res) => {
    const { user, personalSpaceId } = identityOf(req);
    const cached = await cache.stats(user.id, personalSpaceId);
    if (cached) return void res.json(cached);
    const epoch = await cache.epoch();
    const { head, sessions: rows } = await new EntitiesRepo(pool).sessionsOfSpace(personalSpaceId);
    const sessions = rows.flatMap((row) => {
      const parsed = SessionSchema.safeParse(row);
      return parsed.success ? [parsed.data] : [];
    });
    const stats = sessionStats(sessions, now(), user.timeZone);
    await cache.rememberStats(epoch, user.id, personalSpaceId, head, stats);
    res.json(stats);
  });
  return router;
}
