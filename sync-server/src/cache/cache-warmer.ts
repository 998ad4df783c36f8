/**
 * Cache warming at start. An instance that starts with an empty cache (the in-process one after
 * every restart, Redis after a flush or a failover) would send every device's first empty pull and
 * first token check to Postgres at once. Before it listens, the server reads what those need for
 * the clients that pushed most recently (their lastMutationIds, lists of spaces and heads, and their
 * users' signed-in devices) and fills the cache with it, under the epoch read before, by the same
 * rules as any reader (sync-cache.ts). Bounded in count and time; a failure only leaves it cold.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { ReadPositionsRepo } from '../store/read-positions-repo.ts';
import { UsersRepo } from '../store/users-repo.ts';
import type { SyncCache } from './sync-cache.ts';

type Queryable = Pick<pg.Pool, 'query'>;

/** How many clients are warmed with the in-process cache when CACHE_WARM_CLIENTS is unset. */
export const DEFAULT_WARM_CLIENTS = 5000;

/**
 * The clients to warm: CACHE_WARM_CLIENTS, or when unset 5000 with the in-process cache (empty at
 * every restart) and none with Redis (which keeps its cache across a restart).
 */
export function warmClientCount(configured: number | null, withRedis: boolean): number {
  return configured ?? (withRedis ? 0 : DEFAULT_WARM_CLIENTS);
}

export interface WarmOptions {
  /** At most this many clients (0: no warming). */
  clients: number;
  /** Those that pushed within this many hours. */
  withinHours: number;
  /** The whole warming's bound; past it the server starts with what was filled. */
  timeoutMs: number;
}

export interface WarmResult {
  clients: number;
  keys: number;
  ms: number;
  /** Why nothing was filled: off, no epoch (the cache is unreachable or stale), timed out, failed. */
  skipped: 'off' | 'no_epoch' | 'timeout' | 'failed' | null;
}

export async function warmCache(pool: Queryable, cache: SyncCache, options: WarmOptions, logger: Logger): Promise<WarmResult> {
  const started = performance.now();
  const result = (skipped: WarmResult['skipped'], clients = 0, keys = 0): WarmResult => ({
    clients,
    keys,
    ms: Math.round(performance.now() - started),
    skipped,
  });
  if (options.clients <= 0) return result('off');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const work = (async () => {
    // The epoch before Postgres: what is read here is dropped if the cache is flushed meanwhile.
    const epoch = await cache.epoch();
    if (!epoch) return result('no_epoch');
    const positions = await new ReadPositionsRepo(pool).recentPullPositions(options.clients, options.withinHours);
    const identities = await new UsersRepo(pool).identitiesOfUsers([...new Set(positions.map((p) => p.userId))]);
    const keys = await cache.warm(epoch, positions, identities);
    return result(null, positions.length, keys);
  })();
  try {
    const outcome = await Promise.race([work, timeout]);
    const done = outcome === 'timeout' ? result('timeout') : outcome;
    logger.info({ warm: done }, 'cache warmed');
    return done;
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'cache warming failed; starting cold');
    return result('failed');
  } finally {
    clearTimeout(timer);
    // A warming past its bound goes on in the background; its failure then is only logged.
    work.catch(() => {});
  }
}
