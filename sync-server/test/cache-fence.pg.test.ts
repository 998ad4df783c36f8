// The cache fence (cache-fence.ts): when one instance commits a change it could not write to Redis,
// another instance must not answer "nothing new" from its cache once that instance has answered.
// Two fences on one real Postgres database, each over a cache of its own standing in for a shared
// Redis that only one of them can reach.
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheFence } from '../src/cache/cache-fence.ts';
import { MemoryKv } from '../src/cache/memory-kv.ts';
import { SyncCache } from '../src/cache/sync-cache.ts';
import { systemClock } from '../src/clock.ts';
import { createPool } from '../src/db/pool.ts';
import { createTestDatabase } from './harness.ts';

const TIMEOUTS = { connectMs: 5000, statementMs: 5000, lockMs: 2000, idleInTransactionMs: 10_000 };

function cacheOf(name: string): SyncCache {
  const registry = new Registry();
  return new SyncCache(
    new MemoryKv(),
    new Counter({ name: `fence_test_${name.replace(/\W/g, '_')}`, help: 'test', labelNames: ['cache', 'result'], registers: [registry] }),
    Date.now,
  );
}

describe('the cache fence', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;
  const fences: CacheFence[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, 4, TIMEOUTS);
  });
  afterAll(async () => {
    for (const fence of fences) await fence.close();
    await pool?.end();
    await database?.drop();
  });

  async function instance(name: string): Promise<{ cache: SyncCache; fence: CacheFence }> {
    const cache = cacheOf(name);
    const fence = new CacheFence({
      databaseUrl: database.url,
      pool,
      cache,
      logger: pino({ level: 'silent' }),
      instanceId: name,
      connectTimeoutMs: 5000,
      queryTimeoutMs: 6000,
      clock: systemClock(),
    });
    cache.onMissedWrite = () => fence.announce();
    cache.heardEverything = () => fence.heardEverything();
    await fence.start();
    fences.push(fence);
    return { cache, fence };
  }

  it('drops the cached "nothing new" of every other instance before the announcing one goes on', async () => {
    const reader = await instance('reader');
    const writer = await instance('writer');
    const cursor = new Map([['space-1', 7]]);
    await reader.cache.rememberPull(await reader.cache.epoch(), 'user-1', 'client-1', ['space-1'], cursor, 3);
    expect(await reader.cache.emptyPull('user-1', 'client-1', cursor), 'answered from the cache before').toBe(3);

    // The writer's head raise after its commit did not land (its Redis is unreachable): it announces.
    await writer.fence.announce();
    expect(await reader.cache.emptyPull('user-1', 'client-1', cursor), 'no cached answer once the writer went on').toBeNull();
  });

  it('keeps distrusting for a while after the last word, so a writer says it once a second, not per write', async () => {
    const reader = await instance('patient');
    const writer = await instance('cut-off');
    const cursor = new Map([['space-3', 4]]);
    const remember = async () => reader.cache.rememberPull(await reader.cache.epoch(), 'user-3', 'client-3', ['space-3'], cursor, 2);
    await writer.fence.announce();
    // A second missed write right after is covered by the same word.
    const again = writer.fence.announce();
    expect(again).toBe(writer.fence.announce());
    await again;
    await remember();
    expect(await reader.cache.emptyPull('user-3', 'client-3', cursor), 'nothing is cached or read while distrusting').toBeNull();
    // No word for longer than the distrust window: the cache is used again (from fresh values).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await remember();
    expect(await reader.cache.emptyPull('user-3', 'client-3', cursor)).toBe(2);
  });

  it('reads nothing from the cache while it cannot hear the word', async () => {
    const reader = await instance('deaf');
    const cursor = new Map([['space-2', 1]]);
    await reader.cache.rememberPull(await reader.cache.epoch(), 'user-2', 'client-2', ['space-2'], cursor, 1);
    expect(await reader.cache.emptyPull('user-2', 'client-2', cursor)).toBe(1);
    await reader.fence.close();
    expect(await reader.cache.emptyPull('user-2', 'client-2', cursor), 'listener gone: no cached answer').toBeNull();
  });

  it('lets many readers share round trips, each waiting for one that began after it asked', async () => {
    const reader = await instance('busy');
    const answers = await Promise.all(Array.from({ length: 50 }, () => reader.fence.heardEverything()));
    expect(answers.every((a) => a)).toBe(true);
  });
});
