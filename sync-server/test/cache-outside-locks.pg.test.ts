// "No Redis call inside a transaction that holds locks" (issue 9, section 2): a stalled Redis must
// never hold a space lock, or every writer of the space queues behind one command timeout. Every
// cache call the server makes is observed: while it runs, no backend of the server's database may
// sit idle in a transaction that holds locks on `spaces`. Exercised by a push, an invite accept and
// the server's own transcript writes.
import { randomBytes } from 'node:crypto';
import { newId } from '@duet/shared';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KvStore } from '../src/cache/kv.ts';
import { loadConfig } from '../src/config.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { createTestDatabase, deleteRedisKeys, TEST_REDIS_URL } from './harness.ts';
import { account } from './support/accounts.ts';
import { linkPartners } from './support/api.ts';
import { SyncClient } from './support/sync-client.ts';
import { createTranscript, pullUntilTranscript, pushApplied, settledAnalysisJobsOf } from './support/transcript-watch.ts';

const LOCKS_HELD_WHILE_IDLE = `
  SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
   WHERE a.datname = current_database() AND a.state LIKE 'idle in transaction%' AND l.relation = 'spaces'::regclass`;

/** The store, with a check before every call: which calls ran while a transaction held space locks. */
function observed(kv: KvStore, observer: pg.Client, underLock: string[], calls: { count: number }): KvStore {
  return new Proxy(kv, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.count++;
        const held = await observer.query<{ n: number }>(LOCKS_HELD_WHILE_IDLE);
        if ((held.rows[0]?.n ?? 0) > 0) underLock.push(`${String(property)}(${JSON.stringify(args).slice(0, 120)})`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('cache calls and space locks', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let observer: pg.Client | undefined;
  let server: RunningServer | undefined;
  const prefix = `duet_test_${randomBytes(6).toString('hex')}:`;
  const underLock: string[] = [];
  const calls = { count: 0 };

  beforeAll(async () => {
    database = await createTestDatabase();
    observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    const client = observer;
    const config = {
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      databaseUrl: database.url,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: prefix,
      pgPoolMax: 8,
    };
    server = await startServer(config, pino({ level: 'silent' }), { wrapKv: (kv) => observed(kv, client, underLock, calls) });
  });
  afterAll(async () => {
    await server?.close();
    await observer?.end();
    await database?.drop();
    await deleteRedisKeys(prefix).catch(() => {});
  });

  it('makes no cache call while a push, an invite accept or a transcript job holds a space lock', async () => {
    const app = server as RunningServer;
    const ana = await account(app, 'Ana');
    const ben = await account(app, 'Ben');
    const sharedSpaceId = await linkPartners(app, ana.token, ben.token);
    const writer = new SyncClient(app, ana.token);
    writer.mutate('conversation.create', { id: newId(), spaceId: sharedSpaceId, title: 'locked?' });
    const id = newId();
    createTranscript(writer, {
      id,
      spaceId: sharedSpaceId,
      text: 'Ana: We walked by the river.\nBen: It was lovely.',
      language: 'en-GB',
      durationMs: 30_000,
    });
    writer.mutate('transcript.submit', { id });
    await pushApplied(writer);
    // Wait for the job in the database, not by pulling: a pull's cache call while the worker's own
    // transaction holds the lock would be counted against it.
    const jobs = await settledAnalysisJobsOf((database as { url: string }).url, id, 30_000);
    expect(jobs.map((j) => j.state)).toContain('completed');
    await pullUntilTranscript(new SyncClient(app, ben.token), id, (t) => t.status === 'done');

    // The writes went through the cache (heads raised, identities cached), just never under a lock.
    expect(calls.count).toBeGreaterThan(10);
    expect(underLock).toEqual([]);
  }, 60_000);
});
