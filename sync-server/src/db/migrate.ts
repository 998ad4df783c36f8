/** Runs the SQL migrations in sync-server/migrations at start-up (node-pg-migrate). */
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { SERVER_DIR } from '../paths.ts';

export const MIGRATIONS_DIR = path.join(SERVER_DIR, 'migrations');

export async function migrate(databaseUrl: string, logger: Logger): Promise<void> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    checkOrder: true,
    logger: {
      debug: () => {},
      info: (m: string) => logger.debug(m),
      warn: (m: string) => logger.warn(m),
      error: (m: string) => logger.error(m),
    },
  });
  if (applied.length) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
}
