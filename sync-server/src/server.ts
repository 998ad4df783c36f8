/**
 * Builds the dependencies from a config, runs migrations, listens, and shuts down in order:
 * stop taking connections, drain HTTP, then close Redis, the pool and the embedded database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { createApp } from './app.ts';
import { describeConfig, type Config } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { createMetrics } from './http/metrics.ts';

export interface RunningServer {
  url: string;
  port: number;
  logger: Logger;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  logger.info({ config: describeConfig(config) }, 'starting');
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.pgPoolMax + 6);
    databaseUrl = embedded.url;
  }
  await migrate(databaseUrl, logger);
  const pool = createPool(databaseUrl, config.pgPoolMax);

  let redis: Redis | null = null;
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    let reported = false;
    redis.on('error', (error) => {
      if (!reported) logger.warn({ err: error.message }, 'redis unavailable; working from Postgres');
      reported = true;
    });
    redis.on('ready', () => {
      if (reported) logger.info('redis is back');
      reported = false;
    });
    await redis.connect().catch(() => {});
  }

  const metrics = createMetrics(pool);
  const app = createApp({ config, pool, redis, logger, metrics });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    logger,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5000).unref();
        });
        if (redis) redis.disconnect();
        await pool.end();
        if (embedded) await embedded.close();
      })();
      return closing;
    },
  };
}
