// Instances that start together on one database all get through their migrations: the second one
// waits for the first instead of failing with node-pg-migrate's "Another migration is already
// running" (what the topology met when two instances started at once).
import pino from 'pino';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createTestDatabase } from './harness.ts';

describe('migrations at start-up', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('run once when four instances start at the same moment, on a new and then on a migrated database', async () => {
    const logger = pino({ level: 'silent' });
    for (const round of ['new', 'migrated']) {
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => migrate(database.url, logger)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
      expect(failed, `${round} database`).toEqual([]);
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM pgmigrations GROUP BY name');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(Number(row.n), row.name).toBe(1);
      // The lock is released: nothing holds it once they are done.
      const { rows: held } = await client.query(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      expect(held[0]?.n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
