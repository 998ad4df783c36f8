/**
 * A PostgreSQL cluster of the test's own (Debian's initdb and pg_ctl, in a temporary directory, on a
 * spare 127.0.0.1 port), for tests that stop, crash, restart or pause Postgres: the machine's shared
 * server must never be touched that way. Run as root, the binaries run as the `postgres` user.
 * Every cluster started here is tracked so a test process that ends without its afterAll still
 * stops them all (SIGCONT, then an immediate stop) and removes their directories.
 * `startPgReplica` adds a streaming replica of such a cluster (pg_basebackup -R), for the read
 * replica tests and the topology.
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

/** A new temporary directory for a cluster, owned by `postgres` when we are root. */
function clusterRoot(): { root: string; dataDir: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'duet-pg-'));
  const dataDir = path.join(root, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  live.add(dataDir);
  return { root, dataDir };
}

/** The controls of the cluster in `dataDir` (not started). */
function clusterAt(root: string, dataDir: string, port: number): PgCluster {
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
  return cluster;
}

/** Settings of every cluster here: its own port and socket directory, small, fast, logging to its file. */
function localSettings(root: string, port: number): string {
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
  return `${settings.join('\n')}\n`;
}

/** initdb in a new temporary directory, start on a free port, wait until it accepts connections. */
export async function startPgCluster(): Promise<PgCluster> {
  const { root, dataDir } = clusterRoot();
  const port = await freePort();
  const cluster = clusterAt(root, dataDir, port);
  try {
    // No fsync: the faults here kill processes, not the machine, so the kernel keeps every write.
    await pg('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), localSettings(root, port), { flag: 'a' });
    await cluster.start();
  } catch (error) {
    await cluster.destroy().catch(() => {});
    throw error;
  }
  return cluster;
}

export interface PgReplica extends PgCluster {
  /** The same database on the replica as `primaryUrl` names on the primary. */
  urlOf(primaryUrl: string): string;
  /** pg_wal_replay_pause(): the replica keeps receiving WAL and answering, from what it had replayed. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has replayed everything the primary had written when this was called. */
  caughtUp(timeoutMs?: number): Promise<void>;
}

async function queryOnce<T extends postgres.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new postgres.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A streaming replica of `primary`: pg_basebackup -R (standby.signal and primary_conninfo) into a new
 * temporary directory, started on a port of its own; resolves once it accepts read-only connections.
 */
export async function startPgReplica(primary: PgCluster): Promise<PgReplica> {
  const { root, dataDir } = clusterRoot();
  const port = await freePort();
  const cluster = clusterAt(root, dataDir, port);
  try {
    // A fast checkpoint: the default spread one can take minutes on a quiet cluster.
    const backup = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir];
    await pg('pg_basebackup', [...backup, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync']);
    // The copied settings name the primary's port and directory; later lines win.
    writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), `${localSettings(root, port)}hot_standby = on\n`, { flag: 'a' });
    await cluster.start();
  } catch (error) {
    await cluster.destroy().catch(() => {});
    throw error;
  }
  const urlOf = (primaryUrl: string) => {
    const parsed = new URL(primaryUrl);
    parsed.port = String(port);
    return parsed.toString();
  };
  return {
    ...cluster,
    urlOf,
    async pauseReplay() {
      await queryOnce(cluster.url, 'SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await queryOnce(cluster.url, 'SELECT pg_wal_replay_resume()');
    },
    async caughtUp(timeoutMs = 30_000) {
      const [target] = await queryOnce<{ lsn: string }>(primary.url, 'SELECT pg_current_wal_lsn()::text AS lsn');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await queryOnce<{ done: boolean }>(cluster.url, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [
          target?.lsn,
        ]);
        if (row?.done) return;
        if (Date.now() > deadline) throw new Error(`the replica did not replay up to ${target?.lsn} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
