/**
 * A PostgreSQL cluster of the test's own (Debian's initdb and pg_ctl, in a temporary directory, on a
 * spare 127.0.0.1 port), for tests that stop, crash, restart or pause Postgres: the machine's shared
 * server must never be touched that way. Run as root, the binaries run as the `postgres` user.
 * Every cluster started here is tracked so a test process that ends without its afterAll still
 * stops them all (SIGCONT, then an immediate stop) and removes their directories.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'pg';
import { freePort } from './redis-process.ts';

const run = promisify(execFile);
const CTL_TIMEOUT_SEC = 30;

export interface PgCluster {
  /** Of the `postgres` database, user `postgres`, trust auth. */
  url: string;
  port: number;
  dataDir: string;
  /** Creates a database on the cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (clients are told), waits until it is down. */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Immediate shutdown: every backend quits at once, recovery runs at the next start. */
  crash(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections stay open and nothing answers. */
  pause(): void;
  resume(): void;
  /** Stops it however it is and deletes its directory. */
  destroy(): Promise<void>;
}

/** The newest installed major version's bin directory (PG_BIN overrides). */
function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL binaries under ${root} (set PG_BIN to the directory of initdb and pg_ctl)`);
  return path.join(root, newest, 'bin');
}

const asRoot = process.getuid?.() === 0;

/** argv for a PostgreSQL binary, through runuser when we are root (postgres refuses to run as root). */
function command(binary: string, args: string[]): [string, string[]] {
  const file = path.join(binDir(), binary);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

async function pg(binary: string, args: string[]): Promise<string> {
  const [file, argv] = command(binary, args);
  try {
    const { stdout } = await run(file, argv, { timeout: (CTL_TIMEOUT_SEC + 10) * 1000 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The postmaster's pid from postmaster.pid, or null when it is not running. */
function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The postmaster and its children (the backends and background workers), from /proc. */
function clusterPids(dataDir: string): number[] {
  const root = postmasterPid(dataDir);
  if (root === null) return [];
  const pids = [root];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

const live = new Set<string>();
// Should the test process end without its afterAll, no cluster outlives it.
process.once('exit', () => {
  for (const dataDir of live) {
    signalAll(clusterPids(dataDir), 'SIGCONT');
    try {
      const [file, argv] = command('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
      execFileSync(file, argv, { stdio: 'ignore' });
    } catch {
      signalAll(clusterPids(dataDir), 'SIGKILL');
    }
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
});

/** initdb in a new temporary directory, start on a free port, wait until it accepts connections. */
export async function startPgCluster(): Promise<PgCluster> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'duet-pg-'));
  const dataDir = path.join(root, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  live.add(dataDir);
  const port = await freePort();
  const logFile = path.join(root, 'postgres.log');
  let paused: number[] = [];

  const ctl = (args: string[]) => pg('pg_ctl', ['-D', dataDir, '-w', '-t', String(CTL_TIMEOUT_SEC), ...args]);
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async createDatabase(name) {
      const client = new postgres.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return cluster.url.replace(/\/postgres$/, `/${name}`);
    },
    async start() {
      await ctl(['-l', logFile, 'start']);
    },
    async stop() {
      await ctl(['-m', 'fast', 'stop']);
    },
    async restart() {
      await ctl(['-l', logFile, '-m', 'fast', 'restart']);
    },
    async crash() {
      await ctl(['-m', 'immediate', 'stop']);
    },
    pause() {
      paused = clusterPids(dataDir);
      signalAll(paused, 'SIGSTOP');
    },
    resume() {
      signalAll([...new Set([...paused, ...clusterPids(dataDir)])], 'SIGCONT');
      paused = [];
    },
    async destroy() {
      cluster.resume();
      if (postmasterPid(dataDir) !== null) await ctl(['-m', 'immediate', 'stop']).catch(() => signalAll(clusterPids(dataDir), 'SIGKILL'));
      live.delete(dataDir);
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    // No fsync: the faults here kill processes, not the machine, so the kernel keeps every write.
    await pg('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const settings = [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'fsync = off',
      'full_page_writes = off',
      'max_connections = 100',
      'shared_buffers = 32MB',
      'logging_collector = off',
    ];
    writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), `${settings.join('\n')}\n`, { flag: 'a' });
    await cluster.start();
  } catch (error) {
    await cluster.destroy().catch(() => {});
    throw error;
  }
  return cluster;
}
