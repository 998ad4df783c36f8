/**
 * Test harness: each test server gets a fresh database with a random name on the machine's real
 * PostgreSQL and a random Redis key prefix on its real Redis; close() stops it and drops both.
 * A missing service fails the test loudly.
 */
import { randomBytes } from 'node:crypto';
import type { User } from '@duet/shared';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { ServerClock } from '../src/clock.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { startServer } from '../src/server.ts';

export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestServer {
  url: string;
  /** The separate metrics listener, when the config asks for one (metrics.port). */
  metricsUrl: string | null;
  databaseUrl: string;
  redisPrefix: string;
  config: Config;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `duet_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is required for this test and is not reachable at ${ADMIN_DATABASE_URL}: ${String(error)}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(ADMIN_DATABASE_URL, name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function assertRedisReachable(url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Redis is required for this test and is not reachable at ${url}: ${String(error)}`);
  } finally {
    redis.disconnect();
  }
}

export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * DUET_TARGET_URL: the black-box tests (a server with the default config, used only through its
 * URL) run against that deployment instead, e.g. the topology's load balancer
 * (e2e/specs/topology-lb.spec.ts). A test that needs a config of its own still gets its own server.
 */
function remoteTarget(overrides: Partial<Config>, options: object): TestServer | null {
  const url = process.env.DUET_TARGET_URL;
  if (!url || Object.keys(overrides).length > 0 || Object.keys(options).length > 0) return null;
  return {
    url: url.replace(/\/$/, ''),
    metricsUrl: null,
    databaseUrl: '',
    redisPrefix: '',
    config: loadConfig({}),
    async close() {},
  };
}

/**
 * With `sharedDatabaseUrl`, the server joins an existing database (another instance's) and leaves
 * it in place on close; otherwise it gets a database of its own.
 */
export async function startTestServer(
  overrides: Partial<Config> = {},
  options: { sharedDatabaseUrl?: string; redisPrefix?: string; clock?: ServerClock; logger?: Logger } = {},
): Promise<TestServer> {
  const remote = remoteTarget(overrides, options);
  if (remote) return remote;
  if (overrides.redisUrl !== null) await assertRedisReachable(overrides.redisUrl ?? TEST_REDIS_URL);
  const database = options.sharedDatabaseUrl ? { url: options.sharedDatabaseUrl, drop: async () => {} } : await createTestDatabase();
  const redisPrefix = options.redisPrefix ?? `duet_test_${randomBytes(6).toString('hex')}:`;
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    redisUrl: TEST_REDIS_URL,
    redisPrefix,
    pgPoolMax: 8,
    // Every test signs its users up from 127.0.0.1; the signup limit has tests of its own.
    signupRateLimit: { points: 100_000, windowSec: 3600 },
    ...overrides,
  };
  const server = await startServer(
    config,
    options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    options.clock ? { clock: options.clock } : {},
  );
  return {
    url: server.url,
    metricsUrl: server.metricsUrl,
    databaseUrl: database.url,
    redisPrefix,
    config,
    async close() {
      await server.close();
      await database.drop();
      if (config.redisUrl) await deleteRedisKeys(redisPrefix, config.redisUrl).catch(() => {});
    },
  };
}

let counter = 0;

export async function signup(
  server: Pick<TestServer, 'url'>,
  opts: { email?: string; displayName?: string; timeZone?: string } = {},
): Promise<{ token: string; deviceId: string; user: User; email: string; password: string }> {
  const email = opts.email ?? `user${++counter}_${randomBytes(4).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const body: Record<string, string> = { email, password, displayName: opts.displayName ?? `User ${counter}` };
  if (opts.timeZone) body.timeZone = opts.timeZone;
  const res = await request(server.url).post('/api/auth/signup').send(body);
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...(res.body as { token: string; deviceId: string; user: User }), email, password };
}
