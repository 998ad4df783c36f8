/** The Postgres pool and a helper that runs a function in one transaction. */
import pg from 'pg';
import { failureKind } from '../http/failure-kind.ts';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;

// bigint columns (versions, mutation ids) fit in a JS number for any realistic count.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  // An idle client's error (the server restarting, say) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors on idle clients only: a connection lost while checked out (Postgres
  // ending the backend mid-transaction) would emit an unhandled 'error' and crash the process.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    // A connection that failed is discarded (ended, so it emits no more errors), not handed on.
    if (!lost && failureKind(error) === 'infrastructure') lost = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}
