/** Monthly usage per person (usage_counters): counted atomically in Postgres, the one truth of it. */
import type { UsageMetric } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export class UsageRepo {
  constructor(private readonly db: Queryable) {}

  async used(userId: string, period: string, metric: UsageMetric): Promise<number> {
    const result = await this.db.query<{ amount: number }>(
      'SELECT amount FROM usage_counters WHERE user_id = $1 AND period = $2 AND metric = $3',
      [userId, period, metric],
    );
    return result.rows[0]?.amount ?? 0;
  }

  async usedAll(userId: string, period: string): Promise<Record<UsageMetric, number>> {
    const result = await this.db.query<{ metric: UsageMetric; amount: number }>(
      'SELECT metric, amount FROM usage_counters WHERE user_id = $1 AND period = $2',
      [userId, period],
    );
    const usage: Record<UsageMetric, number> = { analyses: 0, audio_minutes: 0 };
    for (const row of result.rows) usage[row.metric] = row.amount;
    return usage;
  }

  /**
   * Adds `amount` unless that would pass `limit`, in one statement (two callers at once cannot
   * both slip under the limit). Returns the new total, or null when it was refused.
   */
  async add(userId: string, period: string, metric: UsageMetric, amount: number, limit: number): Promise<number | null> {
    const result = await this.db.query<{ amount: number }>(
      `INSERT INTO usage_counters AS u (user_id, period, metric, amount)
       SELECT $1, $2, $3, $4::integer WHERE $4::integer <= $5::integer
       ON CONFLICT (user_id, period, metric) DO UPDATE SET amount = u.amount + EXCLUDED.amount
       WHERE u.amount + EXCLUDED.amount <= $5::integer
       RETURNING amount`,
      [userId, period, metric, amount, limit],
    );
    return result.rows[0]?.amount ?? null;
  }
}
