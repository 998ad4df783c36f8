/** The server's configuration: one typed table, parsed once from the environment and passed in. */
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export interface Config {
  port: number;
  host: string;
  /** Unset: an embedded PGlite under dataDir. */
  databaseUrl: string | null;
  /** Unset: an in-process cache and bus (one instance only). */
  redisUrl: string | null;
  /** Set (instead of redisUrl): a Redis Cluster, reached through these seed nodes. */
  redisClusterNodes: Array<{ host: string; port: number }> | null;
  redisPrefix: string;
  /** A streaming replica that pulls, /api/me and /api/stats may read from (docs/read-replicas.md). */
  databaseReplica: { url: string | null; maxLagMs: number; timeoutMs: number };
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
  /** A socket whose instance sent no heartbeat this long counts as gone (ms); heartbeats every third of it. */
  presenceExpiryMs: number;
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
  /** The app's public address, for links in emails and Stripe's return pages; null: the server's own URL. */
  appUrl: string | null;
  /** Outgoing email (see email/mailer.ts): SMTP, or files under DATA_DIR/outbox when smtpUrl is null. */
  email: {
    smtpUrl: string | null;
    from: string;
    retryLimit: number;
    retryDelaySec: number;
    breakerHalfOpenMs: number;
  };
  /** Password reset links: how long one works, and how many may be asked for per email and per IP. */
  passwordReset: { ttlMin: number; perEmail: { points: number; windowSec: number }; perIp: { points: number; windowSec: number } };
  /** Invitations sent by email, per recipient address. */
  inviteEmailPerRecipient: { points: number; windowSec: number };
  /** Wrong current passwords a user may give when changing it, per window. */
  passwordChangeLimit: { points: number; windowSec: number };
  /** Monthly limits per person of each plan. */
  plans: { free: PlanLimits; premium: PlanLimits };
  /** Stripe; secretKey null: billing is not configured and every account is free. */
  stripe: { secretKey: string | null; webhookSecret: string | null; pricePremium: string | null; apiBase: string | null };
  /** A Postgres query slower than this is logged with its name and duration (ms). */
  dbSlowQueryMs: number;
  /** A request not answered within this is answered 503 (ms); see http/request-timeout.ts. */
  httpRequestTimeoutMs: number;
  /** Cache warming at start (cache/cache-warmer.ts): how many recent clients (null: by the cache's kind), how recent, and its bound. */
  cacheWarm: { clients: number | null; withinHours: number; timeoutMs: number };
  /** Limits of `POST /api/account/import` (docs/export-import.md): the zip's size, its entries, and all of them unpacked. */
  dataImport: { maxBytes: number; maxEntries: number; maxUncompressedBytes: number };
  /** Error reports from the app (routes/client-errors-route.ts) per address per window. */
  clientErrorLimit: { points: number; windowSec: number };
  /** The debug endpoints (routes/debug-routes.ts) answer in development mode, or to this token. */
  debug: { development: boolean; adminToken: string | null };
  /**
   * Express `trust proxy`: the peers whose X-Forwarded-For/Proto/Host are believed (addresses,
   * CIDR ranges or express's names loopback/linklocal/uniquelocal), or false to believe none.
   */
  trustProxy: string[] | false;
  /** Audio in an S3 bucket (@tus/s3-store); null: in Postgres (the database in use). */
  s3: S3Config | null;
}

export interface S3Config {
  bucket: string;
  /** An S3-compatible service's URL (MinIO, say); null: AWS's endpoint of the region. */
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
  /** null: the AWS SDK's default chain (environment, profile, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: `false`/`none`, or a comma-separated list of addresses, CIDR ranges and express's names. */
const trustProxySchema = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  )
  .refine((items) => items.length > 0, 'empty')
  .refine(
    (items) => (items.length === 1 && ['false', 'none'].includes(items[0] ?? '')) || items.every(isProxyAddress),
    'each item must be an IP address, a CIDR range, loopback, linklocal or uniquelocal (or the whole value false)',
  )
  .transform((items): string[] | false => (items.length === 1 && ['false', 'none'].includes(items[0] ?? '') ? false : items));

function isProxyAddress(item: string): boolean {
  if (PROXY_NAMES.has(item)) return true;
  if (item.includes('/')) {
    try {
      ipaddr.parseCIDR(item);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(item);
}

export interface PlanLimits {
  analysesPerMonth: number;
  audioMinutesPerMonth: number;
}

const table = {
  PORT: { schema: z.coerce.number().int().min(0).max(65535), default: '8080', doc: 'port to listen on' },
  HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address to listen on' },
  DATABASE_URL: { schema: z.string().url().optional(), default: undefined, doc: 'Postgres URL; unset: embedded PGlite' },
  REDIS_URL: { schema: z.string().url().optional(), default: undefined, doc: 'Redis URL; unset: in-process' },
  REDIS_CLUSTER_NODES: {
    schema: z
      .string()
      .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*$/, 'host:port,host:port,...')
      .optional(),
    default: undefined,
    doc: 'Redis Cluster seed nodes (host:port,...), instead of REDIS_URL',
  },
  DATABASE_REPLICA_URL: {
    schema: z.string().url().optional(),
    default: undefined,
    doc: 'a streaming replica of DATABASE_URL for pulls, /api/me and /api/stats',
  },
  DATABASE_REPLICA_MAX_LAG_MS: {
    schema: z.coerce.number().int().min(0),
    default: '10000',
    doc: 'a replica further behind than this is bypassed',
  },
  DATABASE_REPLICA_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100),
    default: '2000',
    doc: 'longest wait for the replica (connection or statement) before reading the primary',
  },
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
  PRESENCE_EXPIRY_MS: {
    schema: z.coerce.number().int().min(300).max(3_600_000),
    default: '60000',
    doc: 'a socket of an instance that stopped beating counts as offline after this',
  },
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
  S3_BUCKET: {
    // S3's bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end.
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not a valid S3 bucket name')
      .optional(),
    default: undefined,
    doc: 'S3 bucket for audio; unset: audio in Postgres',
  },
  S3_ENDPOINT: {
    schema: z
      .string()
      .url()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'not an http or https URL')
      .optional(),
    default: undefined,
    doc: 'S3-compatible endpoint URL; unset: AWS',
  },
  S3_REGION: { schema: z.string().regex(/^[a-z0-9-]+$/, 'not a region name'), default: 'us-east-1', doc: 'S3 region' },
  S3_FORCE_PATH_STYLE: {
    schema: z.enum(['true', 'false']).optional(),
    default: undefined,
    doc: 'path-style bucket URLs; default true when S3_ENDPOINT is set',
  },
  S3_ACCESS_KEY_ID: { schema: z.string().min(1).optional(), default: undefined, doc: 'S3 access key; unset: the AWS default chain' },
  S3_SECRET_ACCESS_KEY: { schema: z.string().min(1).optional(), default: undefined, doc: 'S3 secret key, with S3_ACCESS_KEY_ID' },
  TRUST_PROXY: {
    schema: trustProxySchema,
    default: 'loopback',
    doc: "peers whose X-Forwarded-* headers are believed: the load balancer's addresses/CIDRs, or false",
  },
  DB_SLOW_QUERY_MS: { schema: z.coerce.number().int().min(1), default: '250', doc: 'a slower Postgres query is logged' },
  CACHE_WARM_CLIENTS: {
    schema: z.coerce.number().int().min(0).max(1_000_000).optional(),
    default: undefined,
    doc: 'at start, fill the cache for this many clients that pushed most recently (0: no warming); unset: 5000 with the in-process cache, which every restart empties, and 0 with Redis, which a restart keeps',
  },
  CACHE_WARM_WITHIN_HOURS: {
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 365),
    default: '24',
    doc: 'the clients warmed pushed within this',
  },
  CACHE_WARM_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(600_000),
    default: '5000',
    doc: 'the server listens after this at most, warm or not',
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100),
    default: '30000',
    doc: 'a request not answered within this is answered 503',
  },
  IMPORT_MAX_BYTES: {
    schema: z.coerce.number().int().positive(),
    default: String(512 * 1024 * 1024),
    doc: 'largest zip an account import takes (413 above)',
  },
  IMPORT_MAX_ENTRIES: { schema: z.coerce.number().int().positive(), default: '10000', doc: 'most files in an import zip (413 above)' },
  IMPORT_MAX_UNCOMPRESSED_BYTES: {
    schema: z.coerce.number().int().positive(),
    default: String(1024 * 1024 * 1024),
    doc: "most bytes an import zip's files may unpack to (413 above: a zip bomb never fills memory or disk)",
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
  APP_URL: { schema: z.string().url().optional(), default: undefined, doc: 'public address of the app, for links in emails' },
  SMTP_URL: {
    schema: z.string().url().optional(),
    default: undefined,
    doc: 'SMTP server (smtp:// or smtps://); unset: files under DATA_DIR/outbox',
  },
  EMAIL_FROM: { schema: z.string().min(3), default: 'Duet <no-reply@duet.invalid>', doc: 'sender of the emails' },
  EMAIL_RETRY_LIMIT: {
    schema: z.coerce.number().int().min(0).max(30),
    default: '12',
    doc: 'retries of an email the mail server refused for now',
  },
  EMAIL_RETRY_DELAY_SEC: { schema: z.coerce.number().int().min(1), default: '10', doc: 'first email retry delay (doubles each time)' },
  EMAIL_BREAKER_HALF_OPEN_MS: {
    schema: z.coerce.number().int().min(100),
    default: '30000',
    doc: 'after the mail server failed, how long emails wait before one is tried again',
  },
  PASSWORD_RESET_TTL_MIN: { schema: z.coerce.number().int().min(1).max(1440), default: '60', doc: 'how long a reset link works' },
  PASSWORD_RESET_LIMIT_PER_EMAIL: { schema: z.coerce.number().int().positive(), default: '3', doc: 'reset requests per email per window' },
  PASSWORD_RESET_LIMIT_PER_IP: { schema: z.coerce.number().int().positive(), default: '20', doc: 'reset requests per IP per window' },
  PASSWORD_RESET_LIMIT_WINDOW_SEC: { schema: z.coerce.number().int().positive(), default: '3600', doc: 'window of the reset limits' },
  INVITE_EMAIL_LIMIT_PER_RECIPIENT: {
    schema: z.coerce.number().int().positive(),
    default: '3',
    doc: 'invitation emails per recipient address per window',
  },
  INVITE_EMAIL_LIMIT_WINDOW_SEC: {
    schema: z.coerce.number().int().positive(),
    default: '86400',
    doc: 'window of INVITE_EMAIL_LIMIT_PER_RECIPIENT',
  },
  PASSWORD_CHANGE_LIMIT_PER_USER: {
    schema: z.coerce.number().int().positive(),
    default: '10',
    doc: 'wrong current passwords per user per window when changing it',
  },
  PASSWORD_CHANGE_LIMIT_WINDOW_SEC: {
    schema: z.coerce.number().int().positive(),
    default: '900',
    doc: 'window of PASSWORD_CHANGE_LIMIT_PER_USER',
  },
  PLAN_FREE_ANALYSES: {
    schema: z.coerce.number().int().min(0),
    default: '10',
    doc: 'transcripts a free account may have analysed per month',
  },
  PLAN_FREE_AUDIO_MINUTES: {
    schema: z.coerce.number().int().min(0),
    default: '30',
    doc: 'audio minutes a free account may store per month',
  },
  PLAN_PREMIUM_ANALYSES: {
    schema: z.coerce.number().int().min(0),
    default: '500',
    doc: 'transcripts a premium account may have analysed per month',
  },
  PLAN_PREMIUM_AUDIO_MINUTES: {
    schema: z.coerce.number().int().min(0),
    default: '1200',
    doc: 'audio minutes a premium account may store per month',
  },
  STRIPE_SECRET_KEY: { schema: z.string().min(8).optional(), default: undefined, doc: 'Stripe secret key; unset: billing not configured' },
  STRIPE_WEBHOOK_SECRET: { schema: z.string().min(8).optional(), default: undefined, doc: 'signing secret of the Stripe webhook endpoint' },
  STRIPE_PRICE_PREMIUM: { schema: z.string().min(1).optional(), default: undefined, doc: 'Stripe price id of the Premium plan' },
  STRIPE_API_BASE: { schema: z.string().url().optional(), default: undefined, doc: "Stripe's API address (tests: a local server)" },
} as const;

type Key = keyof typeof table;

/** Every environment variable the server reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(table);

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = <K extends Key>(key: K): z.infer<(typeof table)[K]['schema']> => {
    const raw = env[key] === '' ? undefined : (env[key] ?? table[key].default);
    const parsed = table[key].schema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`${key}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${table[key].doc})`);
    return parsed.data as z.infer<(typeof table)[K]['schema']>;
  };
  const config: Config = {
    port: read('PORT'),
    host: read('HOST'),
    databaseUrl: read('DATABASE_URL') ?? null,
    redisUrl: read('REDIS_URL') ?? null,
    redisClusterNodes: parseClusterNodes(read('REDIS_CLUSTER_NODES')),
    redisPrefix: read('REDIS_PREFIX'),
    databaseReplica: {
      url: read('DATABASE_REPLICA_URL') ?? null,
      maxLagMs: read('DATABASE_REPLICA_MAX_LAG_MS'),
      timeoutMs: read('DATABASE_REPLICA_TIMEOUT_MS'),
    },
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
    presenceExpiryMs: read('PRESENCE_EXPIRY_MS'),
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
    trustProxy: read('TRUST_PROXY'),
    s3: s3Config(read),
    dbSlowQueryMs: read('DB_SLOW_QUERY_MS'),
    httpRequestTimeoutMs: read('HTTP_REQUEST_TIMEOUT_MS'),
    cacheWarm: {
      clients: read('CACHE_WARM_CLIENTS') ?? null,
      withinHours: read('CACHE_WARM_WITHIN_HOURS'),
      timeoutMs: read('CACHE_WARM_TIMEOUT_MS'),
    },
    dataImport: {
      maxBytes: read('IMPORT_MAX_BYTES'),
      maxEntries: read('IMPORT_MAX_ENTRIES'),
      maxUncompressedBytes: read('IMPORT_MAX_UNCOMPRESSED_BYTES'),
    },
    clientErrorLimit: { points: read('CLIENT_ERROR_LIMIT_PER_IP'), windowSec: read('CLIENT_ERROR_LIMIT_WINDOW_SEC') },
    debug: { development: read('NODE_ENV') === 'development', adminToken: read('DEBUG_ADMIN_TOKEN') ?? null },
    appUrl: read('APP_URL')?.replace(/\/+$/, '') ?? null,
    email: {
      smtpUrl: read('SMTP_URL') ?? null,
      from: read('EMAIL_FROM'),
      retryLimit: read('EMAIL_RETRY_LIMIT'),
      retryDelaySec: read('EMAIL_RETRY_DELAY_SEC'),
      breakerHalfOpenMs: read('EMAIL_BREAKER_HALF_OPEN_MS'),
    },
    passwordReset: {
      ttlMin: read('PASSWORD_RESET_TTL_MIN'),
      perEmail: { points: read('PASSWORD_RESET_LIMIT_PER_EMAIL'), windowSec: read('PASSWORD_RESET_LIMIT_WINDOW_SEC') },
      perIp: { points: read('PASSWORD_RESET_LIMIT_PER_IP'), windowSec: read('PASSWORD_RESET_LIMIT_WINDOW_SEC') },
    },
    inviteEmailPerRecipient: { points: read('INVITE_EMAIL_LIMIT_PER_RECIPIENT'), windowSec: read('INVITE_EMAIL_LIMIT_WINDOW_SEC') },
    passwordChangeLimit: { points: read('PASSWORD_CHANGE_LIMIT_PER_USER'), windowSec: read('PASSWORD_CHANGE_LIMIT_WINDOW_SEC') },
    plans: {
      free: { analysesPerMonth: read('PLAN_FREE_ANALYSES'), audioMinutesPerMonth: read('PLAN_FREE_AUDIO_MINUTES') },
      premium: { analysesPerMonth: read('PLAN_PREMIUM_ANALYSES'), audioMinutesPerMonth: read('PLAN_PREMIUM_AUDIO_MINUTES') },
    },
    stripe: {
      secretKey: read('STRIPE_SECRET_KEY') ?? null,
      webhookSecret: read('STRIPE_WEBHOOK_SECRET') ?? null,
      pricePremium: read('STRIPE_PRICE_PREMIUM') ?? null,
      apiBase: read('STRIPE_API_BASE') ?? null,
    },
  };
  if (config.redisUrl && config.redisClusterNodes) throw new ConfigError('REDIS_URL and REDIS_CLUSTER_NODES: set one of them, not both');
  if (config.databaseReplica.url && !config.databaseUrl) {
    throw new ConfigError('DATABASE_REPLICA_URL needs DATABASE_URL (the embedded database has no replica)');
  }
  return config;
}

/** The S3 settings: all or nothing around S3_BUCKET, keys in pairs. */
function s3Config(read: <K extends Key>(key: K) => z.infer<(typeof table)[K]['schema']>): S3Config | null {
  const bucket = read('S3_BUCKET');
  const endpoint = read('S3_ENDPOINT') ?? null;
  const accessKeyId = read('S3_ACCESS_KEY_ID');
  const secretAccessKey = read('S3_SECRET_ACCESS_KEY');
  const forcePathStyle = read('S3_FORCE_PATH_STYLE');
  if (!bucket) {
    const stray = (['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'] as const).filter(
      (key) => read(key) !== undefined,
    );
    if (stray.length) throw new ConfigError(`${stray.join(', ')} set without S3_BUCKET (audio would not go to S3)`);
    return null;
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither for the AWS default chain');
  }
  return {
    bucket,
    endpoint,
    region: read('S3_REGION'),
    forcePathStyle: forcePathStyle === undefined ? endpoint !== null : forcePathStyle === 'true',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
  };
}

function parseClusterNodes(value: string | undefined): Config['redisClusterNodes'] {
  if (!value) return null;
  return value.split(',').map((entry) => {
    const [host = '', port = ''] = entry.trim().split(':');
    return { host, port: Number(port) };
  });
}

/** The config with secrets masked, for logs. */
export function describeConfig(config: Config): Record<string, unknown> {
  const mask = (url: string | null) => (url ? url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@') : null);
  return {
    ...config,
    databaseUrl: mask(config.databaseUrl) ?? 'embedded',
    redisUrl: mask(config.redisUrl) ?? (config.redisClusterNodes ? 'cluster' : 'in-process'),
    databaseReplica: { ...config.databaseReplica, url: mask(config.databaseReplica.url) },
    metrics: { ...config.metrics, token: config.metrics.token ? '***' : null },
    s3: config.s3 && {
      ...config.s3,
      credentials: config.s3.credentials && { accessKeyId: config.s3.credentials.accessKeyId, secretAccessKey: '***' },
    },
    debug: { ...config.debug, adminToken: config.debug.adminToken ? '***' : null },
    email: { ...config.email, smtpUrl: mask(config.email.smtpUrl) ?? 'files' },
    stripe: {
      ...config.stripe,
      secretKey: config.stripe.secretKey ? '***' : null,
      webhookSecret: config.stripe.webhookSecret ? '***' : null,
    },
  };
}
