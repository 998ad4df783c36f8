/** The Express app, built from its dependencies (no module-level state). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MAX_BODY_BYTES } from '@duet/shared';
import compression from 'compression';
import express, { type Express } from 'express';
import type { RedisClient } from './cache/redis-client.ts';
import type pg from 'pg';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { EmailLimiter } from './auth/email-limiter.ts';
import { InviteLimiter } from './auth/invite-limiter.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { SignupLimiter } from './auth/signup-limiter.ts';
import type { Plans } from './billing/plans.ts';
import type { StripeBilling } from './billing/stripe-billing.ts';
import type { SyncCache } from './cache/sync-cache.ts';
import type { ServerClock } from './clock.ts';
import type { Config } from './config.ts';
import type { ReadReplica } from './db/read-replica.ts';
import { authenticate } from './http/authenticate.ts';
import type { EmailOutbox } from './email/email-outbox.ts';
import type { Drain } from './http/drain.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import type { Metrics } from './http/metrics.ts';
import { requireSupportedProtocol } from './http/protocol-version.ts';
import type { RequestTiming } from './http/request-timing.ts';
import { requestTimeout } from './http/request-timeout.ts';
import { securityHeaders } from './http/security-headers.ts';
import { syncRateLimits } from './http/sync-rate-limit.ts';
import type { TranscriptJobs } from './jobs/transcript-jobs.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { clientErrorsRoute } from './routes/client-errors-route.ts';
import { debugRoutes } from './routes/debug-routes.ts';
import { billingRoutes, stripeWebhook, WEBHOOK_PATH } from './routes/billing-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { inviteRoutes } from './routes/invite-routes.ts';
import { metricsRoute } from './routes/metrics-route.ts';
import { passwordRoutes } from './routes/password-routes.ts';
import { statsRoute } from './routes/stats-route.ts';
import { syncRoutes } from './routes/sync-routes.ts';
import type { Bus } from './realtime/bus.ts';
import type { Notifier } from './notifications/notifier.ts';
import type { SpaceWriter } from './store/space-writer.ts';
import type { UsersRepo } from './store/users-repo.ts';
import type { AudioUploads } from './uploads/audio-uploads.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { dataTransferRoutes } from './routes/data-transfer-routes.ts';

export interface AppDeps {
  config: Config;
  /** The server's time, ids and timers. */
  clock: ServerClock;
  pool: pg.Pool;
  /** Pulls, /api/me and /api/stats may be answered by a streaming replica (always on the primary without one). */
  reads: ReadReplica;
  redis: RedisClient | null;
  logger: Logger;
  metrics: Metrics;
  users: UsersRepo;
  cache: SyncCache;
  /** Carries pokes to every instance after a commit. */
  bus: Bus;
  /** Every write into spaces (see SpaceWriter). */
  writer: SpaceWriter;
  jobs: TranscriptJobs;
  uploads: AudioUploads;
  /** Refuses new requests once the server shuts down. */
  drain?: Drain;
  /** The clients the cache is warmed with at start (warmClientCount), for the debug page. */
  warmClients: number;
  /** Partner events as notifications. */
  notifier?: Notifier;
  /** Times each request's queries and cache calls (Server-Timing). */
  timing: RequestTiming;
  /** Emails in the background (password resets, invitations). */
  outbox: EmailOutbox;
  /** Plans, their limits and the month's usage. */
  plans: Plans;
  /** Stripe; null without STRIPE_SECRET_KEY. */
  stripe: StripeBilling | null;
  /** The app's public address, for links (APP_URL, or the server's own URL). */
  appUrl: () => string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function createApp(deps: AppDeps): Express {
  const { config, clock, pool, reads, redis, logger, metrics, users, cache, bus, writer, jobs, uploads, outbox, plans, stripe, appUrl } =
    deps;
  const now = clock.now;
  const app = express();
  app.disable('x-powered-by');
  // Only the load balancer's X-Forwarded-* are believed (TRUST_PROXY); req.ip is then the client's.
  app.set('trust proxy', config.trustProxy);
  app.use(deps.timing.middleware);

  app.use(
    pinoHttp({
      logger,
      genReqId(req, res) {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : clock.newId();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One line per request: id, method, path, status, time. Never headers or bodies (tokens, passwords).
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/metrics' },
    }),
  );
  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const routePath = (req.route as { path?: string | RegExp } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${String(routePath)}` : req.path.startsWith('/api') ? 'unmatched' : 'static';
      end({ route, status: String(res.statusCode) });
    });
    next();
  });
  if (deps.drain) app.use(deps.drain.middleware);
  app.use(requestTimeout(config.httpRequestTimeoutMs, deps.timing, clock.timers));
  // Pull pages are JSON of repetitive records: gzip makes them several times smaller. Other API
  // answers are small and sent once: gzip would cost more CPU than the bytes it saves.
  app.use(compression({ threshold: 1024, filter: (req, res) => compressible(req.originalUrl) && compression.filter(req, res) }));
  app.use(securityHeaders());

  const auth = authenticate(users, cache);
  const limiter = new LoginLimiter(config.loginRateLimit, redis, config.redisPrefix);
  const signupLimiter = new SignupLimiter(config.signupRateLimit, redis, config.redisPrefix);
  const inviteLimiter = new InviteLimiter(config.inviteRateLimit, redis, config.redisPrefix);
  const emailLimiter = new EmailLimiter(
    {
      resetPerEmail: config.passwordReset.perEmail,
      resetPerIp: config.passwordReset.perIp,
      invitePerRecipient: config.inviteEmailPerRecipient,
      changePerUser: config.passwordChangeLimit,
    },
    redis,
    config.redisPrefix,
  );
  const mailer = outbox.mailer;
  const health = healthRoutes(pool, cache, clock.timers, reads, {
    get up() {
      return mailer.up;
    },
    mode: mailer.mode,
    pending: () => outbox.pending(),
  });
  const rateLimits = syncRateLimits(config.syncRateLimit, redis, config.redisPrefix);

  app.use(uploads.routes(auth));
  // Before the JSON parser and the protocol check: Stripe signs the raw bytes and sends no Duet-Protocol.
  app.post(WEBHOOK_PATH, ...stripeWebhook({ pool, stripe }));
  const api = express.Router();
  api.use(express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }));
  api.use(health.api);
  api.use(requireSupportedProtocol);
  api.use(
    authRoutes({
      pool,
      reads,
      writer,
      cache,
      limiters: { login: limiter, signup: signupLimiter },
      auth,
      newId: clock.newId,
      onLoggedOut: (deviceId) => bus.publish({ type: 'logout', deviceId }),
    }),
  );
  api.use(
    accountRoutes({
      pool,
      writer,
      cache,
      loginLimiter: limiter,
      auth,
      onLoggedOut: (deviceId) => bus.publish({ type: 'logout', deviceId }),
      removeUpload: (uploadId) => uploads.remove(uploadId),
    }),
  );
  api.use(
    dataTransferRoutes({
      pool,
      writer,
      store: uploads.store,
      clock,
      auth,
      limits: config.dataImport,
      uploadMaxBytes: config.uploadMaxBytes,
      audioQuotaBytes: config.uploadLimits.quotaBytesPerUser,
      logger,
    }),
  );
  api.use(
    passwordRoutes({
      pool,
      cache,
      outbox,
      limiter: emailLimiter,
      auth,
      now,
      onLoggedOut: (deviceId) => bus.publish({ type: 'logout', deviceId }),
    }),
  );
  api.use(
    inviteRoutes({
      pool,
      writer,
      ttlDays: config.inviteTtlDays,
      limiter: inviteLimiter,
      auth,
      now,
      newId: clock.newId,
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
      outbox,
      emailLimiter,
    }),
  );
  api.use(billingRoutes({ pool, plans, stripe, auth, appUrl, logger }));
  api.use(
    syncRoutes({
      pool,
      reads,
      writer,
      cache,
      jobs,
      jobMaxInFlightPerUser: config.jobMaxInFlightPerUser,
      uploads,
      auth,
      rateLimits,
      metrics,
      clock,
      plans,
    }),
  );
  api.use(statsRoute({ reads, pool, cache, auth, now }));
  api.use(clientErrorsRoute({ logger, redis, redisPrefix: config.redisPrefix, limit: config.clientErrorLimit }));
  api.use(
    debugRoutes({
      config,
      pool,
      cache,
      cacheRequests: metrics.cacheRequests,
      auth,
      warmClients: deps.warmClients,
    }),
  );
  api.use(notFoundHandler);
  app.use(
    '/api',
    (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    },
    api,
  );
  // With a metrics listener of its own (server.ts), the app's listener does not serve /metrics.
  if (config.metrics.port === null) app.use(metricsRoute(metrics, { token: config.metrics.token, loopbackOnly: true }));

  if (config.webDistDir && existsSync(path.join(config.webDistDir, 'index.html'))) serveWebApp(app, config.webDistDir);
  app.use(notFoundHandler);
  app.use(errorHandler(logger, metrics));
  return app;
}

/**
 * What is worth compressing: pull pages, the web app's files, and /metrics (large text). Given the
 * original URL, since compression decides when the answer starts, inside the router that strips /api.
 */
function compressible(originalUrl: string): boolean {
  const requestPath = originalUrl.split('?')[0] ?? '';
  return !requestPath.startsWith('/api/') || requestPath === '/api/sync/pull';
}

/** The separate metrics listener of METRICS_PORT: /metrics only, to anyone who reaches it (and has the token, if set). */
export function metricsApp(metrics: Metrics, token: string | null, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRoute(metrics, { token, loopbackOnly: false }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, metrics));
  return app;
}

/** The built PWA on the same origin: hashed assets cached for long, the shell and service worker never. */
function serveWebApp(app: Express, dir: string): void {
  app.use(
    express.static(dir, {
      index: false,
      setHeaders(res, file) {
        const name = path.basename(file);
        if (name === 'sw.js' || name.endsWith('.html') || name.endsWith('.webmanifest')) res.setHeader('Cache-Control', 'no-cache');
        else if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.get(/^\/(?!api\/|api$|metrics$).*/, (req, res, next) => {
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'));
  });
}
