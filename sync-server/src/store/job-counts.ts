/** Reads of pg-boss's job table that the queue's API does not offer. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The user's jobs of this queue waiting, waiting for a retry, or running. */
export async function jobsInFlight(db: Queryable, schema: string, queue: string, userId: string): Promise<number> {
  const result = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${schema}.job
      WHERE name = $1 AND state IN ('created', 'retry', 'active') AND data->>'userId' = $2`,
    [queue, userId],
  );
  return result.rows[0]?.count ?? 0;
}
