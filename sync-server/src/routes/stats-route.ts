/** GET /api/stats: streaks and recent activity, from the caller's sessions. */
import { SessionSchema, sessionStats } from '@duet/shared';
import { Router } from 'express';
import type { SyncCache } from '../cache/sync-cache.ts';
import { BEHIND, type ReadReplica } from '../db/read-replica.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { ReadPositionsRepo } from '../store/read-positions-repo.ts';

export function statsRoute(reads: ReadReplica, cache: SyncCache, auth: ReturnType<typeof authenticate>, now: () => number): Router {
  const router = Router();
  router.get('/stats', auth, async (req, res) => {
    const { user, personalSpaceId } = identityOf(req);
    const cached = await cache.stats(user.id, personalSpaceId);
    if (cached) return void res.json(cached);
    const epoch = await cache.epoch();
    // From the replica only when it has every session write the primary had (the space's head).
    const { head, sessions: rows } = await reads.read('stats', {
      needed: (primary) => new ReadPositionsRepo(primary).head(personalSpaceId),
      async read(db, needed) {
        const read = await new EntitiesRepo(db).sessionsOfSpace(personalSpaceId);
        return needed !== null && read.head < needed ? BEHIND : read;
      },
    });
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
