/** Runs the SQL migrations in sync-server/migrations at start-up (node-pg-migrate). */
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from 'pino';
import { SERVER_DIR } from '../paths.ts';

export const MIGRATIONS_DIR = path.join(SERVER_DIR, 'migrations');

/** node-pg-migrate's own advisory lock id, so an instance of an older build still sees it taken. */
const MIGRATION_LOCK_ID = '7241865325823964';
/** How long an instance waits for another one's migrations before it gives up starting. */
const LOCK_WAIT_MS = 120_000;

/**
 * Instances that start together wait for each other: node-pg-migrate's own lock is a try-lock that
 * fails the second instance ("Another migration is already running"), so this holds the same lock
 * with a wait, on a connection of its own, and runs node-pg-migrate inside it without its lock.
 */
export async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // A try-lock in a loop rather than a waiting lock with a session lock_timeout: the embedded
    // PGlite shares one session between connections, so no session setting may be changed.
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [MIGRATION_LOCK_ID]);
      if (rows[0]?.locked) break;
      if (Date.now() > deadline) throw new Error(`another instance held the migration lock for more than ${LOCK_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      count: Infinity,
      checkOrder: true,
      noLock: true,
      logger: {
        debug: () => {},
        info: (m: string) => logger.debug(m),
        warn: (m: string) => logger.warn(m),
        error: (m: string) => logger.error(m),
      },
    });
    if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_ID]).catch(() => {});
    await client.end().catch(() => {});
  }
}
