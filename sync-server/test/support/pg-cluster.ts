/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl in a temp dir, on a spare 127.0.0.1
 * port), for tests that pause, stop, crash or restart Postgres: the machine's shared Postgres must
 * never be touched that way. Run as the `postgres` user when the tests run as root (Postgres
 * refuses to run as root). Every cluster started here is tracked so it is stopped and removed even
 * when a test fails or the test process exits without its afterAll.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './redis-process.ts';

export interface PgCluster {
  port: number;
  /** A trust-auth URL of the `postgres` database as user `postgres`. */
  url: string;
  dataDir: string;
  /** A URL of another database on this cluster. */
  urlOf(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** The postmaster's pid (changes after a restart). */
  pid(): number;
  /** SIGSTOPs the postmaster and every backend: connections stay open and nothing answers. */
  pause(): void;
  /** SIGCONTs what pause() stopped. */
  resume(): void;
  /** `pg_ctl stop` with the given mode (fast by default); the data stays for start(). */
  stop(mode?: 'smart' | 'fast' | 'immediate'): void;
  start(): void;
  restart(): void;
  /** SIGKILLs the postmaster, as a crash would (start() runs crash recovery). */
  crash(): void;
  log(): string;
  /** Stops the cluster (whatever its state) and deletes its directory. */
  destroy(): void;
}

const live = new Set<PgCluster>();
process.once('exit', () => {
  for (const cluster of live) cluster.destroy();
});

function binDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const fromPgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = fromPgConfig.status === 0 ? fromPgConfig.stdout.trim() : '';
  if (dir && existsSync(path.join(dir, 'initdb'))) return dir;
  // Debian and Ubuntu keep the server binaries out of PATH, one directory per major version.
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const newest = readdirSync(debian).sort((a, b) => Number(b) - Number(a))[0];
    if (newest && existsSync(path.join(debian, newest, 'bin', 'initdb'))) return path.join(debian, newest, 'bin');
  }
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install them or set PG_BINDIR');
}

const asRoot = process.getuid?.() === 0;

/** Runs a Postgres binary, as the postgres user when we are root. */
function run(bin: string, args: string[], timeoutMs = 60_000): string {
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(command, argv, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent pid; the command name (field 2) may contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** initdb's a new cluster in a temp dir, starts it on a free port and waits until it accepts connections. */
export async function startPgCluster(settings: Record<string, string> = {}): Promise<PgCluster> {
  const bin = binDir();
  const root = mkdtempSync(path.join(tmpdir(), 'duet-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  if (asRoot) {
    const owner = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const group = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(root, Number(owner), Number(group));
  }
  const port = await freePort();
  const options = {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${root}'`,
    // Test data: durability against power loss is not what these clusters are for.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '100',
    ...settings,
  };
  const pgCtlOptions = Object.entries(options)
    .map(([key, value]) => `-c ${key}=${value}`)
    .concat(`-p ${port}`)
    .join(' ');
  const pgCtl = (...args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);
  let paused: number[] = [];
  let destroyed = false;

  const cluster: PgCluster = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return cluster.urlOf(name);
    },
    pid() {
      return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    },
    pause() {
      const postmaster = cluster.pid();
      // The postmaster first, so it forks no new backend while we stop the ones there are.
      signal(postmaster, 'SIGSTOP');
      paused = [postmaster, ...childrenOf(postmaster)];
      for (const pid of paused.slice(1)) signal(pid, 'SIGSTOP');
    },
    resume() {
      for (const pid of paused.reverse()) signal(pid, 'SIGCONT');
      paused = [];
    },
    stop(mode = 'fast') {
      cluster.resume();
      pgCtl('stop', '-m', mode, '-w', '-t', '30');
    },
    start() {
      pgCtl('start', '-w', '-t', '30', '-l', logFile, '-o', pgCtlOptions);
    },
    restart() {
      cluster.resume();
      pgCtl('restart', '-m', 'fast', '-w', '-t', '30', '-l', logFile, '-o', pgCtlOptions);
    },
    crash() {
      cluster.resume();
      const postmaster = cluster.pid();
      const backends = childrenOf(postmaster);
      signal(postmaster, 'SIGKILL');
      for (const pid of backends) signal(pid, 'SIGKILL');
    },
    log() {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(cluster);
      cluster.resume();
      if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
        try {
          pgCtl('stop', '-m', 'immediate', '-w', '-t', '30');
        } catch {
          try {
            cluster.crash();
          } catch {
            // No postmaster left to kill.
          }
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };

  live.add(cluster);
  try {
    run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
    cluster.start();
  } catch (error) {
    const detail = cluster.log();
    cluster.destroy();
    throw new Error(`could not start a PostgreSQL cluster: ${String(error)}\n${detail}`);
  }
  return cluster;
}
