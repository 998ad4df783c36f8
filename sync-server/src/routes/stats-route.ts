/** GET /api/stats: streaks and recent activity, from the caller's sessions. */
import { SessionSchema, sessionStats } from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';

export function statsRoute(pool: pg.Pool, auth: ReturnType<typeof authenticate>, now: () => number): Router {
  const router = Router();
  router.get('/stats', auth, async (req, res) => {
    const { user, personalSpaceId } = identityOf(req);
    const rows = await new EntitiesRepo(pool).sessionsOfSpace(personalSpaceId);
    const sessions = rows.flatMap((row) => {
      const parsed = SessionSchema.safeParse(row);
      return parsed.success ? [parsed.data] : [];
    });
    res.json(sessionStats(sessions, now(), user.timeZone));
  });
  return router;
}
