/**
 * Builds the dependencies from a config, runs migrations, listens, and shuts down in order:
 * refuse new requests and stop listening, let the running ones finish while the WebSockets close
 * (1001), then stop the jobs and close Redis, the pool and the embedded database.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { CacheFence } from './cache/cache-fence.ts';
import { systemClock, type ServerClock } from './clock.ts';
import { createApp, metricsApp } from './app.ts';
import type { KvStore } from './cache/kv.ts';
import { MemoryKv } from './cache/memory-kv.ts';
import { createRedisClient, type RedisClient } from './cache/redis-client.ts';
import { RedisKv } from './cache/redis-kv.ts';
import { RedisOutage } from './cache/redis-outage.ts';
import { SyncCache } from './cache/sync-cache.ts';
import { warmClientCount, warmCache, type WarmResult } from './cache/cache-warmer.ts';
import { describeConfig, type Config } from './config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { answerClientErrors } from './http/client-error.ts';
import { createPool, queryTimeoutMs } from './db/pool.ts';
import { ReadReplica } from './db/read-replica.ts';
import { Drain } from './http/drain.ts';
import { RequestTiming } from './http/request-timing.ts';
import { createMetrics } from './http/metrics.ts';
import { Plans } from './billing/plans.ts';
import { StripeBilling } from './billing/stripe-billing.ts';
import { composeEmail } from './email/compose-email.ts';
import { EmailOutbox } from './email/email-outbox.ts';
import { Mailer } from './email/mailer.ts';
import { TranscriptJobs } from './jobs/transcript-jobs.ts';
import { MemoryBus, RedisBus, type Bus } from './realtime/bus.ts';
import { Notifier } from './notifications/notifier.ts';
import { MemoryPresenceStore, type PresenceStore } from './realtime/presence-store.ts';
import { RedisPresenceStore } from './realtime/redis-presence-store.ts';
import { RealtimeServer } from './realtime/ws-server.ts';
import { SpaceWriter } from './store/space-writer.ts';
import { UsersRepo } from './store/users-repo.ts';
import { AudioUploads } from './uploads/audio-uploads.ts';
import { importFileUploads } from './uploads/import-file-uploads.ts';
import { createUploadStorage } from './uploads/upload-storage.ts';

export interface RunningServer {
  url: string;
  port: number;
  /** The separate metrics listener (METRICS_PORT), or null when /metrics is on the app's port. */
  metricsUrl: string | null;
  logger: Logger;
  /** What cache warming at start filled (cache/cache-warmer.ts). */
  warmed: WarmResult;
  close(): Promise<void>;
}

/** The server's logger: JSON lines, or pretty lines in development (`LOG_FORMAT=pretty`). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  if (config.logFormat === 'pretty')
    return pino({ level: config.logLevel, transport: { target: 'pino-pretty', options: { colorize: true } } });
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

export interface ServerOptions {
  /** Wraps the cache's store (Redis or in-process), e.g. for a test to observe every cache call. */
  wrapKv?: (kv: KvStore) => KvStore;
  /** The server's time, ids and timers (the system's by default). */
  clock?: ServerClock;
}

export async function startServer(
  config: Config,
  logger: Logger = createLogger(config),
  options: ServerOptions = {},
): Promise<RunningServer> {
  logger.info({ config: describeConfig(config) }, 'starting');
  const clock = options.clock ?? systemClock();
  let embedded: EmbeddedPostgres | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.pgPoolMax + 6);
    databaseUrl = embedded.url;
  }
  await migrate(databaseUrl, logger);
  const pool = createPool(databaseUrl, config.pgPoolMax, config.pgTimeouts, { sharedSession: embedded !== null });

  const metrics = createMetrics(pool);
  const timing = new RequestTiming(metrics.dbQueries, config.dbSlowQueryMs, logger);
  timing.instrumentPool(pool);
  const reads = new ReadReplica({
    url: config.databaseReplica.url,
    maxLagMs: config.databaseReplica.maxLagMs,
    timeoutMs: config.databaseReplica.timeoutMs,
    poolMax: config.pgPoolMax,
    pgTimeouts: config.pgTimeouts,
    primary: pool,
    metrics,
    logger,
    timers: clock.timers,
  });
  await reads.start();
  let kv: KvStore = new MemoryKv();
  let bus: Bus = new MemoryBus();
  let presence: PresenceStore = new MemoryPresenceStore(config.presenceExpiryMs);
  const cacheRef: { current?: SyncCache } = {};
  const realtimeRef: { current?: RealtimeServer } = {};
  const outage = new RedisOutage(async () => {
    await cacheRef.current?.recover();
    realtimeRef.current?.pokeAll();
  });
  const redis: RedisClient | null = createRedisClient(config);
  if (redis) {
    let down = false;
    const reportDown = (error: unknown) => {
      // Said once per outage, not per request.
      if (!down) logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'redis unavailable; working from Postgres');
      down = true;
      outage.cacheFailed();
    };
    redis.on('error', reportDown);
    const reportBack = () => {
      if (down) logger.info('redis is back');
      down = false;
      void cacheRef.current?.recover();
      outage.cacheAnswered();
    };
    redis.on('ready', reportBack);
    kv = new RedisKv(
      redis,
      config.redisPrefix,
      reportDown,
      reportBack,
      config.redisTimeouts.breakerHalfOpenMs,
      config.redisTimeouts.commandMs,
    );
    bus = new RedisBus(redis, config.redisPrefix, { lost: () => outage.subscriberLost(), back: () => outage.subscriberBack() });
    presence = new RedisPresenceStore(redis, config.redisPrefix, config.presenceExpiryMs);
  }
  const cache = new SyncCache(timing.timeKv(options.wrapKv ? options.wrapKv(kv) : kv), metrics.cacheRequests, clock.now);
  cacheRef.current = cache;
  await redis?.connect().catch(() => {});
  // Several instances share Redis only on a real Postgres (the embedded one lives in this process).
  let fence: CacheFence | null = null;
  if (redis && config.databaseUrl) {
    const instanceFence = new CacheFence({
      databaseUrl,
      pool,
      cache,
      logger,
      instanceId: clock.newId(),
      clock,
      connectTimeoutMs: config.pgTimeouts.connectMs,
      queryTimeoutMs: queryTimeoutMs(config.pgTimeouts),
    });
    cache.onMissedWrite = () => instanceFence.announce();
    cache.heardEverything = () => instanceFence.heardEverything();
    await instanceFence.start();
    fence = instanceFence;
  }
  const users = new UsersRepo(pool);
  const writer = new SpaceWriter({ pool, cache, bus, requests: timing });
  const notifier = new Notifier({ pool, writer, now: clock.now, logger });
  const jobs = await TranscriptJobs.start(databaseUrl, { writer, bus, notifier }, config.jobs, logger, config.pgTimeouts);
  // Links in emails and Stripe's return pages: APP_URL, or this server's own address once it listens.
  const publicUrl: { current: string } = { current: config.appUrl ?? '' };
  const appUrl = () => publicUrl.current;
  const mailer = new Mailer(
    {
      smtpUrl: config.email.smtpUrl,
      from: config.email.from,
      dataDir: config.dataDir,
      breakerHalfOpenMs: config.email.breakerHalfOpenMs,
      now: clock.now,
    },
    logger,
  );
  const outbox = await EmailOutbox.start(
    jobs.queue,
    mailer,
    composeEmail({ pool, appUrl, resetTtlMin: config.passwordReset.ttlMin, now: clock.now }),
    { retryLimit: config.email.retryLimit, retryDelaySec: config.email.retryDelaySec },
    clock.timers,
    logger,
  );
  const stripe = config.stripe.secretKey
    ? new StripeBilling({
        secretKey: config.stripe.secretKey,
        webhookSecret: config.stripe.webhookSecret,
        pricePremium: config.stripe.pricePremium,
        apiBase: config.stripe.apiBase,
      })
    : null;
  const plans = new Plans(config.plans, stripe !== null, clock.now);

  const uploadStorage = await createUploadStorage({
    config,
    sharedDatabaseUrl: config.databaseUrl,
    pool,
    clock,
    logger,
    queryTimeoutMs: queryTimeoutMs(config.pgTimeouts),
  });
  // Audio an earlier version kept under DATA_DIR/uploads (tus's FileStore) goes into the store first.
  await importFileUploads(path.join(config.dataDir, 'uploads'), uploadStorage.store, logger);
  const uploads = new AudioUploads({
    pool,
    writer,
    clock,
    cache,
    users,
    store: uploadStorage.store,
    locker: uploadStorage.locker,
    maxBytes: config.uploadMaxBytes,
    limits: config.uploadLimits,
    logger,
    plans,
  });
  uploads.startExpiry();
  const drain = new Drain(clock.timers);
  const warmClients = warmClientCount(config.cacheWarm.clients, redis !== null);
  const app = createApp({
    warmClients,
    config,
    clock,
    pool,
    reads,
    redis,
    logger,
    metrics,
    users,
    cache,
    bus,
    writer,
    jobs,
    uploads,
    drain,
    notifier,
    timing,
    outbox,
    plans,
    stripe,
    appUrl,
  });
  const server = http.createServer(app);
  // Longer than the idle time of common clients and proxies, so a client never reuses a kept-alive
  // connection at the moment the server closes it (a reset the client sees as a network error).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Receiving a request's body is bounded as its answer is (http/request-timeout.ts).
  server.requestTimeout = config.httpRequestTimeoutMs;
  answerClientErrors(server, logger, clock.newId);
  const realtime = new RealtimeServer({
    pool,
    users,
    cache,
    bus,
    metrics,
    logger,
    clock,
    presence,
    presenceExpiryMs: config.presenceExpiryMs,
    notifier,
    pingIntervalMs: config.wsPingIntervalSec * 1000,
  });
  realtimeRef.current = realtime;
  realtime.attach(server);
  const warmed = await warmCache(pool, cache, { ...config.cacheWarm, clients: warmClients }, logger);
  const port = await listen(server, config.port, config.host);
  const url = urlOf(config.host, port);
  if (!config.appUrl) publicUrl.current = url;
  let metricsServer: http.Server | null = null;
  let metricsUrl: string | null = null;
  if (config.metrics.port !== null) {
    metricsServer = http.createServer(metricsApp(metrics, config.metrics.token, logger));
    answerClientErrors(metricsServer, logger, clock.newId);
    metricsUrl = urlOf(config.metrics.host, await listen(metricsServer, config.metrics.port, config.metrics.host));
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    metricsUrl,
    logger,
    warmed,
    close() {
      closing ??= (async () => {
        const sockets = realtime.close(config.shutdownGraceMs);
        metricsServer?.closeAllConnections();
        metricsServer?.close();
        const { closed } = await drain.drain(server, config.shutdownGraceMs);
        await sockets;
        await closed;
        uploads.stop();
        // Postgres may be stalled now: ending a connection then waits for an answer that never
        // comes, so each step gets a bound and the shutdown goes on without it.
        const bound = config.pgTimeouts.connectMs + queryTimeoutMs(config.pgTimeouts);
        await atMost(outbox.stop(), bound, 'email worker', logger);
        await atMost(jobs.stop(), bound, 'job worker', logger);
        await bus.close();
        await atMost(fence?.close() ?? Promise.resolve(), bound, 'cache fence', logger);
        await atMost(uploadStorage.close(), bound, 'upload locks', logger);
        if (redis) redis.disconnect();
        await atMost(reads.close(), bound, 'read replica pool', logger);
        await atMost(pool.end(), bound, 'Postgres pool', logger);
        if (embedded) await embedded.close();
      })();
      return closing;
    },
  };
}

/** Waits for a shutdown step at most `ms`; one that fails or takes longer is logged and left behind. */
async function atMost(step: Promise<unknown>, ms: number, what: string, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    step.then(
      () => 'done' as const,
      (error: unknown) => error,
    ),
    new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ms);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'late') logger.warn({ step: what, ms }, 'shutdown step did not finish in time; going on');
  else if (outcome !== 'done') logger.warn({ step: what, err: outcome }, 'shutdown step failed; going on');
}
