/**
 * Starts the real sync server (serving the built PWA) as a child process on a fresh database with
 * a random name and a random Redis prefix, for browser tests; stop() kills it and drops the database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB_DIST = `${ROOT}web/dist`;
const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface AppServer {
  url: string;
  /** The server process (the benchmarks read its CPU time from /proc). */
  pid: number;
  /** Its database's name (the benchmarks find its Postgres backends by it). */
  database: string;
  stop(): Promise<void>;
}

export interface AppServerOptions {
  /** Another checkout's sync-server folder to run (a benchmark's "before"); this one's by default. */
  serverDir?: string;
  /** An existing database to run on (a restart), neither created nor dropped; a fresh one by default. */
  database?: string;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is required for browser tests at ${ADMIN_DATABASE_URL}: ${String(error)}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function waitForUrl(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log.join('')}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.push(text);
      const match = /Duet is running at (http:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log.join('')}`));
    });
  });
}

export async function startAppServer(env: Record<string, string> = {}, options: AppServerOptions = {}): Promise<AppServer> {
  if (!existsSync(`${WEB_DIST}/index.html`)) throw new Error('web/dist is missing: run the build (npm test does) first');
  const ownDatabase = options.database === undefined;
  const database = options.database ?? `duet_e2e_${randomBytes(6).toString('hex')}`;
  const dropDatabase = () => (ownDatabase ? admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)) : Promise.resolve());
  if (ownDatabase) await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  // DUET_SERVER_NODE_FLAGS: extra flags for the server's node (e.g. --cpu-prof, to profile a bench).
  const flags = process.env.DUET_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'src/main.ts'], {
    cwd: options.serverDir ?? `${ROOT}sync-server`,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      REDIS_URL,
      REDIS_PREFIX: `duet_e2e_${randomBytes(6).toString('hex')}:`,
      WEB_DIST_DIR: WEB_DIST,
      LOG_LEVEL: 'warn',
      // Every spec and benchmark signs its users up from 127.0.0.1.
      SIGNUP_LIMIT_PER_IP: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  let baseUrl: string;
  try {
    baseUrl = await waitForUrl(child, log);
  } catch (error) {
    child.kill('SIGKILL');
    await dropDatabase();
    throw error;
  }
  return {
    // localhost is a secure context, so the service worker registers.
    url: baseUrl.replace('127.0.0.1', 'localhost'),
    pid: child.pid ?? 0,
    database,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await dropDatabase();
    },
  };
}
