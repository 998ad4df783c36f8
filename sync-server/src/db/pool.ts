/**
 * The Postgres pool and a helper that runs a function in one transaction. Every wait is bounded:
 * for a connection (connectMs), for a statement and a lock (Postgres cancels them), for a
 * transaction left idle (Postgres ends it), and on the client's side for any answer at all, since a
 * stopped or unreachable Postgres never sends the server-side timeouts' errors.
 */
import pg from 'pg';
import { failureKind } from '../http/failure-kind.ts';

export type Db = pg.Pool;
export type DbClient = pg.PoolClient;

export interface PgTimeouts {
  connectMs: number;
  statementMs: number;
  lockMs: number;
  idleInTransactionMs: number;
}

// bigint columns (versions, mutation ids) fit in a JS number for any realistic count.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** What inTransaction runs first, per pool: SET LOCAL for a database whose connections share one session. */
const transactionSettings = new WeakMap<pg.Pool, string>();

/** The client's own wait for an answer: longer than the statement timeout, so Postgres's error comes first when it can. */
export function queryTimeoutMs(timeouts: PgTimeouts): number {
  return timeouts.statementMs + 1000;
}

/**
 * `sharedSession`: the embedded PGlite, whose connections all share one session. A plain SET (or a
 * startup parameter) would change it for everyone, and idle_in_transaction_session_timeout would end
 * the one session there is, so there the statement and lock timeouts are SET LOCAL per transaction.
 */
export function createPool(
  connectionString: string,
  max: number,
  timeouts: PgTimeouts,
  options: { sharedSession?: boolean } = {},
): pg.Pool {
  const perSession = options.sharedSession
    ? {}
    : {
        statement_timeout: timeouts.statementMs,
        lock_timeout: timeouts.lockMs,
        idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
      };
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: queryTimeoutMs(timeouts),
    ...perSession,
  });
  if (options.sharedSession) {
    transactionSettings.set(pool, `SET LOCAL statement_timeout = ${timeouts.statementMs}; SET LOCAL lock_timeout = ${timeouts.lockMs}`);
  }
  // An idle client's error (the server restarting, say) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/** pg's own error when query_timeout passes without an answer. */
export function isClientTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The pool listens on idle clients only: Postgres ending this backend mid-transaction (the
  // idle-in-transaction timeout, a restart) must not be an unhandled 'error' that ends the process.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const settings = transactionSettings.get(pool);
    if (settings) await client.query(settings);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // After a query the client gave up on, the connection is still busy with it and a ROLLBACK
    // would wait behind it: drop the connection instead (Postgres rolls back when it goes).
    if (isClientTimeout(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError as Error));
    // A connection that failed is discarded (ended, so it emits no more errors), not handed on.
    if (!broken && failureKind(error) === 'infrastructure') broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
