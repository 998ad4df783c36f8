/** GET /api/stats: streaks and recent activity, from the caller's sessions. */
import { SessionSchema, dayNumber, sessionStats, statsOfDays, type SessionStats } from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import { BEHIND, type ReadReplica } from '../db/read-replica.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { ReadPositionsRepo } from '../store/read-positions-repo.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Whether Postgres can place instants in a time zone (the name as Intl spells it). Every zone of
 * Node's Intl is in Postgres's tz data today; a zone missing from an older server's falls back to
 * reading the sessions. Asked once per zone and process.
 */
function zoneChecker(primary: Queryable): (zone: string) => Promise<boolean> {
  const known = new Map<string, Promise<boolean>>();
  return (zone) => {
    let answer = known.get(zone);
    if (!answer) {
      answer = primary.query('SELECT now() AT TIME ZONE $1', [zone]).then(
        () => true,
        () => false,
      );
      known.set(zone, answer);
    }
    return answer;
  };
}

/** Intl's own spelling of a zone ("europe/madrid" → "Europe/Madrid"), so the checks above stay few. */
const canonicalZone = (zone: string) => new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;

export interface StatsRouteDeps {
  reads: ReadReplica;
  /** The primary, for the time zone check. */
  pool: Queryable;
  cache: SyncCache;
  auth: ReturnType<typeof authenticate>;
  now: () => number;
}

export function statsRoute({ reads, pool, cache, auth, now }: StatsRouteDeps): Router {
  const router = Router();
  const postgresKnowsZone = zoneChecker(pool);
  router.get('/stats', auth, async (req, res) => {
    const { user, personalSpaceId } = identityOf(req);
    const cached = await cache.stats(user.id, personalSpaceId);
    if (cached) return void res.json(cached);
    const epoch = await cache.epoch();
    const at = now();
    const zone = canonicalZone(user.timeZone);
    const today = dayNumber(at, zone);
    const inPostgres = await postgresKnowsZone(zone);
    // From the replica only when it has every session write the primary had (the space's head).
    const { head, stats } = await reads.read<number, { head: number; stats: SessionStats }>('stats', {
      needed: (db) => new ReadPositionsRepo(db).head(personalSpaceId),
      async read(db, needed) {
        const entities = new EntitiesRepo(db);
        let read: { head: number; stats: SessionStats };
        if (inPostgres) {
          const found = await entities.sessionDays(personalSpaceId, zone, today);
          read = { head: found.head, stats: statsOfDays(found.days, found.recent, today) };
        } else {
          const found = await entities.sessionsOfSpace(personalSpaceId);
          const sessions = found.sessions.flatMap((row) => {
            const parsed = SessionSchema.safeParse(row);
            return parsed.success ? [parsed.data] : [];
          });
          read = { head: found.head, stats: sessionStats(sessions, at, zone) };
        }
        return needed !== null && read.head < needed ? BEHIND : read;
      },
    });
    await cache.rememberStats(epoch, user.id, personalSpaceId, head, stats);
    res.json(stats);
  });
  return router;
}
