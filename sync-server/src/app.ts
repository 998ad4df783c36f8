/** The Express app, built from its dependencies (no module-level state). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MAX_BODY_BYTES } from '@duet/shared';
import compression from 'compression';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { InviteLimiter } from './auth/invite-limiter.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { SignupLimiter } from './auth/signup-limiter.ts';
import type { SyncCache } from './cache/sync-cache.ts';
import type { ServerClock } from './clock.ts';
import type { Config } from './config.ts';
import { authenticate } from './http/authenticate.ts';
import type { Drain } from './http/drain.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import type { Metrics } from './http/metrics.ts';
import { requireSupportedProtocol } from './http/protocol-version.ts';
import { securityHeaders } from './http/security-headers.ts';
import { syncRateLimits } from './http/sync-rate-limit.ts';
import type { TranscriptJobs } from './jobs/transcript-jobs.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { inviteRoutes } from './routes/invite-routes.ts';
import { metricsRoute } from './routes/metrics-route.ts';
import { statsRoute } from './routes/stats-route.ts';
import { syncRoutes } from './routes/sync-routes.ts';
import type { Bus } from './realtime/bus.ts';
import type { SpaceWriter } from './store/space-writer.ts';
import type { UsersRepo } from './store/users-repo.ts';
import type { AudioUploads } from './uploads/audio-uploads.ts';
import { accountRoutes } from './routes/account-routes.ts';

export interface AppDeps {
  config: Config;
  /** The server's time, ids and timers. */
  clock: ServerClock;
  pool: pg.Pool;
  redis: Redis | null;
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
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function createApp(deps: AppDeps): Express {
  const { config, clock, pool, redis, logger, metrics, users, cache, bus, writer, jobs, uploads } = deps;
  const now = clock.now;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

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
  // Sync answers are JSON of repetitive records: gzip makes them several times smaller.
  app.use(compression({ threshold: 1024 }));
  app.use(securityHeaders());

  const auth = authenticate(users, cache);
  const limiter = new LoginLimiter(config.loginRateLimit, redis, config.redisPrefix);
  const signupLimiter = new SignupLimiter(config.signupRateLimit, redis, config.redisPrefix);
  const inviteLimiter = new InviteLimiter(config.inviteRateLimit, redis, config.redisPrefix);
  const health = healthRoutes(pool, cache, clock.timers);
  const rateLimits = syncRateLimits(config.syncRateLimit, redis, config.redisPrefix);

  app.use(uploads.routes(auth));
  const api = express.Router();
  api.use(express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }));
  api.use(health.api);
  api.use(requireSupportedProtocol);
  api.use(
    authRoutes({
      pool,
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
  api.use(inviteRoutes({ pool, writer, ttlDays: config.inviteTtlDays, limiter: inviteLimiter, auth, now, newId: clock.newId }));
  api.use(
    syncRoutes({
      pool,
      writer,
      cache,
      jobs,
      jobMaxInFlightPerUser: config.jobMaxInFlightPerUser,
      uploads,
      auth,
      rateLimits,
      metrics,
      clock,
    }),
  );
  api.use(statsRoute(pool, cache, auth, now));
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
