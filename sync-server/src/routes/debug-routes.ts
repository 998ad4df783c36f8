/**
 * Development tools (issue 13): the caller's sync state (cursor against heads, lastMutationId in
 * Postgres and in the cache, the cache's entries) and a cache page (hit rate per cache, the key
 * families and their lifetimes). Refused with 403 unless the server runs in development mode
 * (NODE_ENV=development) or the request carries the admin token (X-Debug-Token).
 */
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@duet/shared';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type pg from 'pg';
import type { Counter } from 'prom-client';
import { z } from 'zod';
import type { SyncCache } from '../cache/sync-cache.ts';
import type { Config } from '../config.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { ClientsRepo } from '../store/clients-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { decodeCursor } from '../sync/cursor.ts';

const SyncStateQuery = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  cursor: z.string().max(4096).optional(),
});

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function debugRoutes(deps: {
  config: Pick<Config, 'debug' | 'cacheWarm'>;
  pool: pg.Pool;
  cache: SyncCache;
  cacheRequests: Counter<'cache' | 'result'>;
  auth: ReturnType<typeof authenticate>;
  /** The clients warmed at start (warmClientCount). */
  warmClients: number;
}): Router {
  const router = Router();
  const allowed = (req: Request, _res: Response, next: NextFunction) => {
    const token = req.get('x-debug-token');
    const { development, adminToken } = deps.config.debug;
    if (development || (adminToken !== null && token !== undefined && sameSecret(token, adminToken))) return next();
    next(new ApiError(403, ErrorCode.forbidden, 'the debug endpoints are only open in development mode or with the admin token'));
  };

  router.get('/debug/sync-state', allowed, deps.auth, async (req, res) => {
    const query = parseBody(SyncStateQuery, req.query);
    const userId = identityOf(req).user.id;
    const spaces = new SpacesRepo(deps.pool);
    const memberSpaces = await spaces.memberSpaceIds(userId);
    const heads = await spaces.heads(memberSpaces);
    const lastMutationId = await new ClientsRepo(deps.pool).lastMutationId(userId, query.clientId);
    const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor, userId);
    const cached = await deps.cache.entriesOf(userId, query.clientId, memberSpaces);
    res.json({
      userId,
      clientId: query.clientId,
      lastMutationId: { postgres: lastMutationId, cache: cached?.[`lmid:${userId}:${query.clientId}`] ?? null },
      cursor: query.cursor === undefined ? 'not given' : cursor ? 'usable' : 'unusable (a pull would reset)',
      spaces: memberSpaces.map((id) => {
        const head = heads.get(id) ?? 0;
        const seen = cursor?.versions.get(id) ?? null;
        return { id, head, cachedHead: cached?.[`head:${id}`] ?? null, cursorVersion: seen, behind: seen === null ? null : head - seen };
      }),
      cache: { ...deps.cache.describe(), entries: cached },
    });
  });

  router.get('/debug/cache', allowed, async (_req, res) => {
    const hitRate: Record<string, { hits: number; misses: number; ratio: number | null }> = {};
    for (const { labels, value } of (await deps.cacheRequests.get()).values) {
      const entry = (hitRate[String(labels.cache)] ??= { hits: 0, misses: 0, ratio: null });
      if (labels.result === 'hit') entry.hits += value;
      else entry.misses += value;
      entry.ratio = entry.hits / (entry.hits + entry.misses);
    }
    res.json({
      ...deps.cache.describe(),
      hitRate,
      keys: {
        'tok:<token hash>': 'a device identity, or "revoked"',
        'spaces:<user>': "a user's sorted space ids",
        'head:<space>': "a space's head version",
        'lmid:<user>:<client>': "a client's lastMutationId",
        'stats:<user>:<personal head>': "a user's stats at that head",
        'presence:<user>': 'when the user was last seen online',
      },
      warming:
        deps.warmClients > 0
          ? `at start, the lastMutationIds, lists of spaces, heads and device identities of the ${deps.warmClients} clients that pushed most recently (within ${deps.config.cacheWarm.withinHours} h); the rest fills on first use`
          : `none (${deps.config.cacheWarm.clients === 0 ? 'CACHE_WARM_CLIENTS=0' : 'Redis keeps its cache across a restart; CACHE_WARM_CLIENTS sets a count'}): the cache fills on first use (heads and lists from each pull, identities from each first request)`,
    });
  });
  return router;
}
