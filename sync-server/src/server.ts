/**
 * Builds the dependencies from a config, runs migrations, listens, and shuts down in order:
 * stop taking connections, drain HTTP, then close Redis, the pool and the embedded database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { createApp, metricsApp } from './app.ts';
import type { KvStore } from './cache/kv.ts';
import { MemoryKv } from './cache/memory-kv.ts';
import { RedisKv } from './cache/redis-kv.ts';
import { SyncCache } from './cache/sync-cache.ts';
import { describeConfig, type Config } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { answerClientErrors } from './http/client-error.ts';
import { createPool } from './db/pool.ts';
import { createMetrics } from './http/metrics.ts';
import { TranscriptJobs } from './jobs/transcript-jobs.ts';
import { MemoryBus, RedisBus, type Bus } from './realtime/bus.ts';
import { RealtimeServer } from './realtime/ws-server.ts';
import { UsersRepo } from './store/users-repo.ts';
import { AudioUploads } from './uploads/audio-uploads.ts';

export interface RunningServer {
  url: string;
  port: number;
  /** The separate metrics listener (METRICS_PORT), or null when /metrics is on the app's port. */
  metricsUrl: string | null;
  logger: Logger;
  close(): Promise<void>;
}

/** The server's logger: JSON lines, or pretty lines in development (`LOG_FORMAT=pretty`). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  if (config.logFormat === 'pretty') return pino({ level: config.logLevel, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino({ level: config.logLevel });
}

const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}

export async function startServer(config: Config, logger: Logger = createLogger(config)): Promise<RunningServer> {
  logger.info({ config: describeConfig(config) }, 'starting');
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.pgPoolMax + 6);
    databaseUrl = embedded.url;
  }
  await migrate(databaseUrl, logger);
  const pool = createPool(databaseUrl, config.pgPoolMax);

  const metrics = createMetrics(pool);
  let redis: Redis | null = null;
  let kv: KvStore = new MemoryKv();
  let bus: Bus = new MemoryBus();
  const cacheRef: { current?: SyncCache } = {};
  if (config.redisUrl) {
    redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      commandTimeout: 1000,
      // Keep trying to come back, at most every 2 s.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    let down = false;
    const reportDown = (error: unknown) => {
      // Said once per outage, not per request.
      if (!down) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'redis unavailable; working from Postgres');
      down = true;
    };
    redis.on('error', reportDown);
    const reportBack = () => {
      if (down) logger.info('redis is back');
      down = false;
      void cacheRef.current?.recover();
    };
    redis.on('ready', reportBack);
    kv = new RedisKv(redis, config.redisPrefix, reportDown, reportBack);
    bus = new RedisBus(redis, config.redisPrefix);
  }
  const cache = new SyncCache(kv, metrics.cacheRequests);
  cacheRef.current = cache;
  await redis?.connect().catch(() => {});
  const users = new UsersRepo(pool);
  const jobs = await TranscriptJobs.start(databaseUrl, { pool, cache, bus }, config.jobs, logger);

  const uploads = new AudioUploads({
    pool, cache, bus, users, dataDir: config.dataDir, maxBytes: config.uploadMaxBytes, limits: config.uploadLimits, logger,
  });
  uploads.startExpiry();
  const app = createApp({ config, pool, redis, logger, metrics, users, cache, bus, jobs, uploads });
  const server = http.createServer(app);
  // Longer than the idle time of common clients and proxies, so a client never reuses a kept-alive
  // connection at the moment the server closes it (a reset the client sees as a network error).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  answerClientErrors(server, logger);
  const realtime = new RealtimeServer({ pool, users, cache, bus, metrics, logger, pingIntervalMs: config.wsPingIntervalSec * 1000 });
  realtime.attach(server);
  const port = await listen(server, config.port, config.host);
  const url = urlOf(config.host, port);
  let metricsServer: http.Server | null = null;
  let metricsUrl: string | null = null;
  if (config.metrics.port !== null) {
    metricsServer = http.createServer(metricsApp(metrics, config.metrics.token, logger));
    answerClientErrors(metricsServer, logger);
    metricsUrl = urlOf(config.metrics.host, await listen(metricsServer, config.metrics.port, config.metrics.host));
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    metricsUrl,
    logger,
    close() {
      closing ??= (async () => {
        await realtime.close();
        metricsServer?.closeAllConnections();
        metricsServer?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 5000).unref();
        });
        uploads.stop();
        await jobs.stop();
        await bus.close();
        if (redis) redis.disconnect();
        await pool.end();
        if (embedded) await embedded.close();
      })();
      return closing;
    },
  };
}
