/** Whether Postgres answers at all (readiness). */
import type pg from 'pg';

export async function pingDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT 1');
}
