/** The Postgres pool and a helper that runs a function in one transaction. */
import pg from 'pg';

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
  // While checked out a client has no error listener of the pool's: a connection lost between two
  // queries (Postgres restarting mid-transaction) would be an unhandled 'error' event and end the
  // process. The next query fails anyway; the client is then destroyed, not put back in the pool.
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
