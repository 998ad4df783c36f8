/** The server's configuration: one typed table, parsed once from the environment and passed in. */
import path from 'node:path';
import { z } from 'zod';

export interface Config {
  port: number;
  host: string;
  /** Unset: an embedded PGlite under dataDir. */
  databaseUrl: string | null;
  /** Unset: an in-process cache and bus (one instance only). */
  redisUrl: string | null;
  redisPrefix: string;
  dataDir: string;
  logLevel: string;
  /** `pretty`: human-readable colored lines (development; needs the dev dependency pino-pretty). */
  logFormat: 'json' | 'pretty';
  /** Built PWA to serve on the same origin; null serves only the API. */
  webDistDir: string | null;
  loginRateLimit: { perEmailIp: number; perIp: number; perDevice: number; windowSec: number; perEmail: number; emailWindowSec: number };
  signupRateLimit: { points: number; windowSec: number };
  inviteRateLimit: {
    createPerUser: { points: number; windowSec: number };
    acceptPerUser: { points: number; windowSec: number };
    acceptPerIp: { points: number; windowSec: number };
  };
  inviteTtlDays: number;
  pgPoolMax: number;
  jobs: { retryLimit: number; retryDelaySec: number; expireSec: number };
  uploadMaxBytes: number;
  /** WebSocket ping round: a silent socket is dropped, a logged-out device's socket closed. */
  wsPingIntervalSec: number;
  /** Who may read /metrics: see routes/metrics-route.ts. */
  metrics: { token: string | null; host: string; port: number | null };
  /** Requests per device per window on push and on pull (429 past them). */
  syncRateLimit: { pushPerDevice: number; pullPerDevice: number; windowSec: number };
  /** Transcripts a user may have waiting or running at once; a submit past it is rejected. */
  jobMaxInFlightPerUser: number;
  /** Unfinished uploads per user, how long one may stay unfinished, and the audio a user may store. */
  uploadLimits: { maxUnfinishedPerUser: number; expireSec: number; quotaBytesPerUser: number };
  /** Every wait on Postgres is bounded (ms); see db/pool.ts. */
  pgTimeouts: { connectMs: number; statementMs: number; lockMs: number; idleInTransactionMs: number };
  /** Redis commands give up after this (ms); failures open a circuit breaker for `breakerHalfOpenMs`. */
  redisTimeouts: { commandMs: number; breakerHalfOpenMs: number };
  /** SIGTERM: the longest in-flight requests may take to finish before their connections are cut (ms). */
  shutdownGraceMs: number;
  /** A Postgres query slower than this is logged with its name and duration (ms). */
  dbSlowQueryMs: number;
  /** A request not answered within this is answered 503 (ms); see http/request-timeout.ts. */
  httpRequestTimeoutMs: number;
  /** Error reports from the app (routes/client-errors-route.ts) per address per window. */
  clientErrorLimit: { points: number; windowSec: number };
  /** The debug endpoints (routes/debug-routes.ts) answer in development mode, or to this token. */
  debug: { development: boolean; adminToken: string | null };
}

const table = {
  PORT: { schema: z.coerce.number().int().min(0).max(65535), default: '8080', doc: 'port to listen on' },
  HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address to listen on' },
  DATABASE_URL: { schema: z.string().url().optional(), default: undefined, doc: 'Postgres URL; unset: embedded PGlite' },
  REDIS_URL: { schema: z.string().url().optional(), default: undefined, doc: 'Redis URL; unset: in-process' },
  REDIS_PREFIX: { schema: z.string(), default: 'duet:', doc: 'prefix of every Redis key' },
  DATA_DIR: { schema: z.string().min(1), default: './data', doc: 'where the embedded database lives' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino level' },
  LOG_FORMAT: { schema: z.enum(['json', 'pretty']), default: 'json', doc: 'json lines, or pretty for development' },
  WEB_DIST_DIR: { schema: z.string().optional(), default: undefined, doc: 'built PWA to serve' },
  LOGIN_LIMIT_PER_EMAIL_IP: {
    schema: z.coerce.number().int().positive(),
    default: '10',
    doc: 'failed logins per email from one IP per window',
  },
  LOGIN_LIMIT_PER_IP: { schema: z.coerce.number().int().positive(), default: '50', doc: 'failed logins per IP per window' },
  LOGIN_LIMIT_PER_DEVICE: { schema: z.coerce.number().int().positive(), default: '10', doc: 'failed logins per known device per window' },
  LOGIN_LIMIT_WINDOW_SEC: { schema: z.coerce.number().int().positive(), default: '900', doc: 'rate-limit window' },
  LOGIN_LIMIT_PER_EMAIL: {
    schema: z.coerce.number().int().positive(),
    default: '100',
    doc: 'failed logins per email from all unknown devices',
  },
  LOGIN_LIMIT_EMAIL_WINDOW_SEC: { schema: z.coerce.number().int().positive(), default: '3600', doc: 'window of LOGIN_LIMIT_PER_EMAIL' },
  SIGNUP_LIMIT_PER_IP: { schema: z.coerce.number().int().positive(), default: '10', doc: 'signups per IP per window' },
  SIGNUP_LIMIT_WINDOW_SEC: { schema: z.coerce.number().int().positive(), default: '3600', doc: 'window of SIGNUP_LIMIT_PER_IP' },
  INVITE_CREATE_LIMIT_PER_USER: { schema: z.coerce.number().int().positive(), default: '10', doc: 'invites a user may create per window' },
  INVITE_CREATE_LIMIT_WINDOW_SEC: {
    schema: z.coerce.number().int().positive(),
    default: '3600',
    doc: 'window of INVITE_CREATE_LIMIT_PER_USER',
  },
  INVITE_ACCEPT_LIMIT_PER_USER: {
    schema: z.coerce.number().int().positive(),
    default: '10',
    doc: 'failed invite accepts per user per window',
  },
  INVITE_ACCEPT_LIMIT_PER_IP: { schema: z.coerce.number().int().positive(), default: '30', doc: 'failed invite accepts per IP per window' },
  INVITE_ACCEPT_LIMIT_WINDOW_SEC: {
    schema: z.coerce.number().int().positive(),
    default: '3600',
    doc: 'window of the invite accept limits',
  },
  JOB_RETRY_LIMIT: { schema: z.coerce.number().int().min(0).max(20), default: '3', doc: 'retries of a failing transcript job' },
  JOB_RETRY_DELAY_SEC: { schema: z.coerce.number().int().min(1), default: '5', doc: 'first retry delay (doubles each time)' },
  JOB_EXPIRE_SEC: { schema: z.coerce.number().int().min(1), default: '60', doc: 'a job running longer is retried' },
  UPLOAD_MAX_BYTES: { schema: z.coerce.number().int().positive(), default: String(50 * 1024 * 1024), doc: 'largest audio upload' },
  SYNC_PUSH_LIMIT_PER_DEVICE: { schema: z.coerce.number().int().positive(), default: '300', doc: 'pushes per device per sync window' },
  SYNC_PULL_LIMIT_PER_DEVICE: { schema: z.coerce.number().int().positive(), default: '600', doc: 'pulls per device per sync window' },
  SYNC_LIMIT_WINDOW_SEC: { schema: z.coerce.number().int().positive(), default: '10', doc: 'push/pull rate-limit window' },
  JOB_MAX_IN_FLIGHT_PER_USER: {
    schema: z.coerce.number().int().positive(),
    default: '20',
    doc: 'transcripts a user may have queued or processing',
  },
  UPLOAD_MAX_UNFINISHED_PER_USER: { schema: z.coerce.number().int().positive(), default: '10', doc: 'unfinished uploads per user' },
  UPLOAD_EXPIRE_SEC: {
    schema: z.coerce.number().int().positive(),
    default: String(24 * 3600),
    doc: 'an unfinished upload is deleted after this',
  },
  UPLOAD_QUOTA_BYTES_PER_USER: {
    schema: z.coerce.number().int().positive(),
    default: String(1024 * 1024 * 1024),
    doc: 'audio a user may store',
  },
  PG_POOL_MAX: { schema: z.coerce.number().int().min(1).max(100), default: '10', doc: 'Postgres pool size' },
  WS_PING_INTERVAL_SEC: { schema: z.coerce.number().int().min(1).max(3600), default: '30', doc: 'WebSocket ping round' },
  METRICS_TOKEN: {
    schema: z.string().min(16).optional(),
    default: undefined,
    doc: 'bearer token /metrics requires; unset: loopback callers only',
  },
  METRICS_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address of the separate metrics listener' },
  METRICS_PORT: {
    schema: z.coerce.number().int().min(0).max(65535).optional(),
    default: undefined,
    doc: 'port of a separate /metrics listener; unset: on PORT',
  },
  PG_CONNECT_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), default: '5000', doc: 'wait for a pooled Postgres connection' },
  PG_STATEMENT_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100),
    default: '5000',
    doc: 'longest Postgres statement (and, plus 1 s, the client-side wait for an answer)',
  },
  PG_LOCK_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), default: '2000', doc: 'longest wait for a row or space lock' },
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100),
    default: '10000',
    doc: 'Postgres ends a transaction left idle this long',
  },
  REDIS_COMMAND_TIMEOUT_MS: { schema: z.coerce.number().int().min(10), default: '300', doc: 'longest wait for one Redis command' },
  REDIS_BREAKER_HALF_OPEN_MS: {
    schema: z.coerce.number().int().min(100),
    default: '2000',
    doc: 'after a Redis failure, work from Postgres alone this long before trying Redis again',
  },
  SHUTDOWN_GRACE_MS: {
    schema: z.coerce.number().int().min(0),
    default: '10000',
    doc: 'on SIGTERM, how long in-flight requests may take to finish',
  },
  DB_SLOW_QUERY_MS: { schema: z.coerce.number().int().min(1), default: '250', doc: 'a slower Postgres query is logged' },
  HTTP_REQUEST_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100),
    default: '30000',
    doc: 'a request not answered within this is answered 503',
  },
  CLIENT_ERROR_LIMIT_PER_IP: { schema: z.coerce.number().int().positive(), default: '30', doc: 'error reports per address per window' },
  CLIENT_ERROR_LIMIT_WINDOW_SEC: {
    schema: z.coerce.number().int().positive(),
    default: '300',
    doc: 'window of CLIENT_ERROR_LIMIT_PER_IP',
  },
  NODE_ENV: { schema: z.string(), default: 'production', doc: '`development` opens the debug endpoints' },
  DEBUG_ADMIN_TOKEN: {
    schema: z.string().min(16).optional(),
    default: undefined,
    doc: 'bearer token (X-Debug-Token) for the debug endpoints outside development',
  },
} as const;

type Key = keyof typeof table;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = <K extends Key>(key: K): z.infer<(typeof table)[K]['schema']> => {
    const raw = env[key] === '' ? undefined : (env[key] ?? table[key].default);
    const parsed = table[key].schema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`${key}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${table[key].doc})`);
    return parsed.data as z.infer<(typeof table)[K]['schema']>;
  };
  return {
    port: read('PORT'),
    host: read('HOST'),
    databaseUrl: read('DATABASE_URL') ?? null,
    redisUrl: read('REDIS_URL') ?? null,
    redisPrefix: read('REDIS_PREFIX'),
    dataDir: path.resolve(read('DATA_DIR')),
    logLevel: read('LOG_LEVEL'),
    logFormat: read('LOG_FORMAT'),
    webDistDir: read('WEB_DIST_DIR') ?? null,
    loginRateLimit: {
      perEmailIp: read('LOGIN_LIMIT_PER_EMAIL_IP'),
      perIp: read('LOGIN_LIMIT_PER_IP'),
      perDevice: read('LOGIN_LIMIT_PER_DEVICE'),
      windowSec: read('LOGIN_LIMIT_WINDOW_SEC'),
      perEmail: read('LOGIN_LIMIT_PER_EMAIL'),
      emailWindowSec: read('LOGIN_LIMIT_EMAIL_WINDOW_SEC'),
    },
    signupRateLimit: { points: read('SIGNUP_LIMIT_PER_IP'), windowSec: read('SIGNUP_LIMIT_WINDOW_SEC') },
    inviteRateLimit: {
      createPerUser: { points: read('INVITE_CREATE_LIMIT_PER_USER'), windowSec: read('INVITE_CREATE_LIMIT_WINDOW_SEC') },
      acceptPerUser: { points: read('INVITE_ACCEPT_LIMIT_PER_USER'), windowSec: read('INVITE_ACCEPT_LIMIT_WINDOW_SEC') },
      acceptPerIp: { points: read('INVITE_ACCEPT_LIMIT_PER_IP'), windowSec: read('INVITE_ACCEPT_LIMIT_WINDOW_SEC') },
    },
    inviteTtlDays: 7,
    pgPoolMax: read('PG_POOL_MAX'),
    uploadMaxBytes: read('UPLOAD_MAX_BYTES'),
    jobs: { retryLimit: read('JOB_RETRY_LIMIT'), retryDelaySec: read('JOB_RETRY_DELAY_SEC'), expireSec: read('JOB_EXPIRE_SEC') },
    wsPingIntervalSec: read('WS_PING_INTERVAL_SEC'),
    metrics: { token: read('METRICS_TOKEN') ?? null, host: read('METRICS_HOST'), port: read('METRICS_PORT') ?? null },
    syncRateLimit: {
      pushPerDevice: read('SYNC_PUSH_LIMIT_PER_DEVICE'),
      pullPerDevice: read('SYNC_PULL_LIMIT_PER_DEVICE'),
      windowSec: read('SYNC_LIMIT_WINDOW_SEC'),
    },
    jobMaxInFlightPerUser: read('JOB_MAX_IN_FLIGHT_PER_USER'),
    uploadLimits: {
      maxUnfinishedPerUser: read('UPLOAD_MAX_UNFINISHED_PER_USER'),
      expireSec: read('UPLOAD_EXPIRE_SEC'),
      quotaBytesPerUser: read('UPLOAD_QUOTA_BYTES_PER_USER'),
    },
    pgTimeouts: {
      connectMs: read('PG_CONNECT_TIMEOUT_MS'),
      statementMs: read('PG_STATEMENT_TIMEOUT_MS'),
      lockMs: read('PG_LOCK_TIMEOUT_MS'),
      idleInTransactionMs: read('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS'),
    },
    redisTimeouts: { commandMs: read('REDIS_COMMAND_TIMEOUT_MS'), breakerHalfOpenMs: read('REDIS_BREAKER_HALF_OPEN_MS') },
    shutdownGraceMs: read('SHUTDOWN_GRACE_MS'),
    dbSlowQueryMs: read('DB_SLOW_QUERY_MS'),
    httpRequestTimeoutMs: read('HTTP_REQUEST_TIMEOUT_MS'),
    clientErrorLimit: { points: read('CLIENT_ERROR_LIMIT_PER_IP'), windowSec: read('CLIENT_ERROR_LIMIT_WINDOW_SEC') },
    debug: { development: read('NODE_ENV') === 'development', adminToken: read('DEBUG_ADMIN_TOKEN') ?? null },
  };
}

/** The config with secrets masked, for logs. */
export function describeConfig(config: Config): Record<string, unknown> {
  const mask = (url: string | null) => (url ? url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@') : null);
  return {
    ...config,
    databaseUrl: mask(config.databaseUrl) ?? 'embedded',
    redisUrl: mask(config.redisUrl) ?? 'in-process',
    metrics: { ...config.metrics, token: config.metrics.token ? '***' : null },
    debug: { ...config.debug, adminToken: config.debug.adminToken ? '***' : null },
  };
}
