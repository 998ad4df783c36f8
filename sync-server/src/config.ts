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
  /** Built PWA to serve on the same origin; null serves only the API. */
  webDistDir: string | null;
  loginRateLimit: { perEmail: number; perIp: number; windowSec: number };
  inviteTtlDays: number;
  pgPoolMax: number;
  jobs: { retryLimit: number; retryDelaySec: number; expireSec: number };
  uploadMaxBytes: number;
  /** Every wait on Postgres is bounded (ms); see db/pool.ts. */
  pgTimeouts: { connectMs: number; statementMs: number; lockMs: number; idleInTransactionMs: number };
  /** Redis commands give up after this (ms); failures open a circuit breaker for `breakerHalfOpenMs`. */
  redisTimeouts: { commandMs: number; breakerHalfOpenMs: number };
  /** SIGTERM: the longest in-flight requests may take to finish before their connections are cut (ms). */
  shutdownGraceMs: number;
}

const table = {
  PORT: { schema: z.coerce.number().int().min(0).max(65535), default: '8080', doc: 'port to listen on' },
  HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address to listen on' },
  DATABASE_URL: { schema: z.string().url().optional(), default: undefined, doc: 'Postgres URL; unset: embedded PGlite' },
  REDIS_URL: { schema: z.string().url().optional(), default: undefined, doc: 'Redis URL; unset: in-process' },
  REDIS_PREFIX: { schema: z.string(), default: 'duet:', doc: 'prefix of every Redis key' },
  DATA_DIR: { schema: z.string().min(1), default: './data', doc: 'where the embedded database lives' },
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'pino level' },
  WEB_DIST_DIR: { schema: z.string().optional(), default: undefined, doc: 'built PWA to serve' },
  LOGIN_LIMIT_PER_EMAIL: { schema: z.coerce.number().int().positive(), default: '10', doc: 'failed logins per email per window' },
  LOGIN_LIMIT_PER_IP: { schema: z.coerce.number().int().positive(), default: '50', doc: 'failed logins per IP per window' },
  LOGIN_LIMIT_WINDOW_SEC: { schema: z.coerce.number().int().positive(), default: '900', doc: 'rate-limit window' },
  JOB_RETRY_LIMIT: { schema: z.coerce.number().int().min(0).max(20), default: '3', doc: 'retries of a failing transcript job' },
  JOB_RETRY_DELAY_SEC: { schema: z.coerce.number().int().min(1), default: '5', doc: 'first retry delay (doubles each time)' },
  JOB_EXPIRE_SEC: { schema: z.coerce.number().int().min(1), default: '60', doc: 'a job running longer is retried' },
  UPLOAD_MAX_BYTES: { schema: z.coerce.number().int().positive(), default: String(50 * 1024 * 1024), doc: 'largest audio upload' },
  PG_POOL_MAX: { schema: z.coerce.number().int().min(1).max(100), default: '10', doc: 'Postgres pool size' },
  PG_CONNECT_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), default: '5000', doc: 'wait for a pooled Postgres connection' },
  PG_STATEMENT_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), default: '5000', doc: 'longest Postgres statement (and, plus 1 s, the client-side wait for an answer)' },
  PG_LOCK_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), default: '2000', doc: 'longest wait for a row or space lock' },
  PG_IDLE_IN_TRANSACTION_TIMEOUT_MS: { schema: z.coerce.number().int().min(100), default: '10000', doc: 'Postgres ends a transaction left idle this long' },
  REDIS_COMMAND_TIMEOUT_MS: { schema: z.coerce.number().int().min(10), default: '300', doc: 'longest wait for one Redis command' },
  REDIS_BREAKER_HALF_OPEN_MS: { schema: z.coerce.number().int().min(100), default: '2000', doc: 'after a Redis failure, work from Postgres alone this long before trying Redis again' },
  SHUTDOWN_GRACE_MS: { schema: z.coerce.number().int().min(0), default: '10000', doc: 'on SIGTERM, how long in-flight requests may take to finish' },
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
    webDistDir: read('WEB_DIST_DIR') ?? null,
    loginRateLimit: {
      perEmail: read('LOGIN_LIMIT_PER_EMAIL'),
      perIp: read('LOGIN_LIMIT_PER_IP'),
      windowSec: read('LOGIN_LIMIT_WINDOW_SEC'),
    },
    inviteTtlDays: 7,
    pgPoolMax: read('PG_POOL_MAX'),
    uploadMaxBytes: read('UPLOAD_MAX_BYTES'),
    jobs: { retryLimit: read('JOB_RETRY_LIMIT'), retryDelaySec: read('JOB_RETRY_DELAY_SEC'), expireSec: read('JOB_EXPIRE_SEC') },
    pgTimeouts: {
      connectMs: read('PG_CONNECT_TIMEOUT_MS'),
      statementMs: read('PG_STATEMENT_TIMEOUT_MS'),
      lockMs: read('PG_LOCK_TIMEOUT_MS'),
      idleInTransactionMs: read('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS'),
    },
    redisTimeouts: { commandMs: read('REDIS_COMMAND_TIMEOUT_MS'), breakerHalfOpenMs: read('REDIS_BREAKER_HALF_OPEN_MS') },
    shutdownGraceMs: read('SHUTDOWN_GRACE_MS'),
  };
}

/** The config with secrets masked, for logs. */
export function describeConfig(config: Config): Record<string, unknown> {
  const mask = (url: string | null) => (url ? url.replace(/\/\/([^:@/]+)(:[^@/]*)?@/, '//$1:***@') : null);
  return { ...config, databaseUrl: mask(config.databaseUrl) ?? 'embedded', redisUrl: mask(config.redisUrl) ?? 'in-process' };
}
