/**
 * A PostgreSQL primary and its streaming replica (Debian's initdb, pg_ctl and pg_basebackup) in the
 * topology's directory, on their own loopback ports. Run as root, the binaries run as `postgres`.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, run } from './processes.ts';

const asRoot = process.getuid?.() === 0;

function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_basebackup'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL binaries under ${root} (set PG_BIN to the directory of initdb, pg_ctl and pg_basebackup)`);
  return path.join(root, newest, 'bin');
}

async function pgTool(binary: string, args: string[]): Promise<void> {
  const file = path.join(binDir(), binary);
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  try {
    await run(command, argv, { timeout: 60_000 });
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export interface PgNode {
  dataDir: string;
  port: number;
  logFile: string;
}

/** A directory the postgres user may write (when we are root). */
function ownDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
}

function settings(port: number, socketDir: string): string {
  return `${[
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${socketDir}'`,
    'max_connections = 200',
    'shared_buffers = 32MB',
    'wal_level = replica',
    'max_wal_senders = 10',
    'hot_standby = on',
    'hot_standby_feedback = on',
    'logging_collector = off',
  ].join('\n')}\n`;
}

export const pgCtl = (node: PgNode, args: string[]) => pgTool('pg_ctl', ['-D', node.dataDir, '-w', '-t', '30', ...args]);

export const pgUrl = (port: number, database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

/** initdb, start, and create `database`. */
export async function startPrimary(root: string, database: string): Promise<PgNode> {
  ownDir(root);
  const node: PgNode = { dataDir: path.join(root, 'data'), port: await freePort(), logFile: path.join(root, 'postgres.log') };
  await pgTool('initdb', ['-D', node.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // initdb's pg_hba.conf already lets loopback replication connections in with trust.
  writeFileSync(path.join(node.dataDir, 'postgresql.auto.conf'), settings(node.port, root), { flag: 'a' });
  await pgCtl(node, ['-l', node.logFile, 'start']);
  const client = new pg.Client({ connectionString: pgUrl(node.port, 'postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
  return node;
}

/** pg_basebackup of the primary (streaming WAL, standby.signal and primary_conninfo written by -R), started. */
export async function startReplica(root: string, primary: PgNode): Promise<PgNode> {
  ownDir(root);
  const node: PgNode = { dataDir: path.join(root, 'data'), port: await freePort(), logFile: path.join(root, 'postgres.log') };
  await pgTool('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '-D',
    node.dataDir,
    '-R',
    '-X',
    'stream',
    '-c',
    'fast',
  ]);
  // The copied postgresql.auto.conf holds the primary's port: the last setting wins.
  writeFileSync(path.join(node.dataDir, 'postgresql.auto.conf'), settings(node.port, root), { flag: 'a' });
  await pgCtl(node, ['-l', node.logFile, 'start']);
  return node;
}

/** Stops a node however it is (immediate: the topology is thrown away afterwards). */
export async function stopPg(node: PgNode): Promise<void> {
  if (!existsSync(path.join(node.dataDir, 'postmaster.pid'))) return;
  await pgCtl(node, ['-m', 'immediate', 'stop']);
}
