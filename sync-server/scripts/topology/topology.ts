/**
 * A production-like Duet on this machine, on loopback: nginx in front of three instances of the
 * compiled server (sync-server/dist/main.js, plain node), a PostgreSQL primary with a streaming
 * replica, a three-master Redis Cluster and, optionally, Prometheus. Every part is a detached process
 * whose pid is kept in `<dir>/state.json`, so a later `--down` (or a test's cleanup) stops it all.
 * Never touches the machine's shared PostgreSQL (5432) or Redis (6379).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkNginx, renderNginx, startNginx } from './nginx.ts';
import { pgUrl, startPrimary, startReplica, stopPg, type PgNode } from './postgres.ts';
import { answers, freePort, signalGroup, startDetached, until, waitForExit } from './processes.ts';
import { startPrometheus } from './prometheus.ts';
import { startRedisCluster } from './redis-cluster.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');
export const SERVER_BUNDLE = path.join(REPO, 'sync-server', 'dist', 'main.js');
const WEB_DIST = path.join(REPO, 'web', 'dist');
const DATABASE = 'duet';

export interface InstanceState {
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
}

export interface TopologyState {
  dir: string;
  lb: { port: number; pid: number; prefix: string };
  /** By index; while they start, a later index may be filled before an earlier one (a hole). */
  instances: InstanceState[];
  /** The environment every instance gets (its PORT and DATA_DIR aside). */
  instanceEnv: Record<string, string>;
  postgres: { primary: PgNode; replica: PgNode };
  redis: { ports: number[]; pids: number[] };
  prometheus?: { port: number; pid: number };
}

export interface TopologyOptions {
  /** Where everything lives; must not exist yet or be empty. */
  dir: string;
  instances?: number;
  prometheus?: boolean;
  /** More variables for every instance (tests raise limits that a test client on one address meets). */
  env?: Record<string, string>;
  /** Progress lines (each part as it comes up). */
  log?: (line: string) => void;
}

export const stateFile = (dir: string) => path.join(dir, 'state.json');

export function readState(dir: string): TopologyState | null {
  return existsSync(stateFile(dir)) ? (JSON.parse(readFileSync(stateFile(dir), 'utf8')) as TopologyState) : null;
}

function writeState(state: TopologyState): void {
  writeFileSync(stateFile(state.dir), `${JSON.stringify(state, null, 2)}\n`);
}

export const instanceUrl = (instance: { port: number }) => `http://127.0.0.1:${instance.port}`;

/** Starts one instance of the compiled server and waits until /api/ready answers 200. */
export async function startInstance(state: TopologyState, index: number, port?: number): Promise<InstanceState> {
  const dataDir = path.join(state.dir, `instance-${index + 1}`);
  mkdirSync(dataDir, { recursive: true });
  const chosen = port ?? (await freePort());
  const logFile = path.join(dataDir, 'server.log');
  const env: NodeJS.ProcessEnv = {};
  // As a service manager starts it: PATH and HOME only from this shell, never its npm_* or NODE_OPTIONS.
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name]) env[name] = process.env[name];
  Object.assign(env, state.instanceEnv, { PORT: String(chosen), DATA_DIR: dataDir });
  const pid = startDetached(process.execPath, ['--enable-source-maps', SERVER_BUNDLE], { env, logFile, cwd: path.dirname(SERVER_BUNDLE) });
  const instance = { port: chosen, pid, dataDir, logFile };
  // Recorded at once: a start that fails later (or another part failing meanwhile) still stops it.
  state.instances[index] = instance;
  writeState(state);
  try {
    let exited = false;
    await until(`instance ${index + 1} ready on ${chosen}`, 60_000, async () => {
      exited = !isRunning(instance);
      return exited || answers(`${instanceUrl(instance)}/api/ready`);
    });
    if (exited) throw new Error(`instance ${index + 1} exited before it was ready`);
  } catch (error) {
    signalGroup(pid, 'SIGKILL');
    throw new Error(`${(error as Error).message}\n${tail(logFile)}`);
  }
  return instance;
}

function isRunning(instance: { pid: number }): boolean {
  try {
    process.kill(instance.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** SIGTERM (graceful: the instance drains) or SIGKILL; waits until the process is gone. */
export async function stopInstance(instance: InstanceState, signal: 'SIGTERM' | 'SIGKILL', timeoutMs = 30_000): Promise<void> {
  signalGroup(instance.pid, signal);
  await waitForExit(instance.pid, timeoutMs);
}

/** Brings the whole topology up; on any failure, takes down what came up and throws. */
export async function startTopology(options: TopologyOptions): Promise<TopologyState> {
  const log = options.log ?? (() => {});
  if (!existsSync(SERVER_BUNDLE)) throw new Error(`no production build at ${SERVER_BUNDLE}: run \`npx pnpm@10.34.8 run build\` first`);
  if (readState(options.dir)) throw new Error(`a topology is already recorded in ${options.dir}: stop it first (--down)`);
  mkdirSync(options.dir, { recursive: true });
  // Postgres runs as its own user (and nginx's workers as nobody): they must reach their subdirectories.
  chmodSync(options.dir, 0o755);
  const state: TopologyState = {
    dir: options.dir,
    lb: { port: 0, pid: 0, prefix: path.join(options.dir, 'nginx') },
    instances: [],
    instanceEnv: {},
    postgres: {
      primary: { dataDir: '', port: 0, logFile: '' },
      replica: { dataDir: '', port: 0, logFile: '' },
    },
    redis: { ports: [], pids: [] },
  };
  writeState(state);
  try {
    state.postgres.primary = await startPrimary(path.join(options.dir, 'pg-primary'), DATABASE);
    writeState(state);
    log(`postgres primary ${pgUrl(state.postgres.primary.port, DATABASE)}`);
    state.postgres.replica = await startReplica(path.join(options.dir, 'pg-replica'), state.postgres.primary);
    writeState(state);
    log(`postgres replica ${pgUrl(state.postgres.replica.port, DATABASE)} (streaming from the primary)`);

    const redisRoot = path.join(options.dir, 'redis');
    const nodes = await startRedisCluster(redisRoot);
    state.redis.ports = nodes.map((n) => n.port);
    state.redis.pids = nodes.map((n) => n.pid);
    writeState(state);
    const clusterNodes = state.redis.ports.map((p) => `127.0.0.1:${p}`).join(',');
    log(`redis cluster ${clusterNodes} (3 masters)`);

    state.instanceEnv = {
      HOST: '127.0.0.1',
      DATABASE_URL: pgUrl(state.postgres.primary.port, DATABASE),
      DATABASE_REPLICA_URL: pgUrl(state.postgres.replica.port, DATABASE),
      REDIS_CLUSTER_NODES: clusterNodes,
      REDIS_PREFIX: 'duet:',
      TRUST_PROXY: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...(existsSync(WEB_DIST) ? { WEB_DIST_DIR: WEB_DIST } : {}),
    };
    Object.assign(state.instanceEnv, options.env ?? {});

    const count = options.instances ?? 3;
    // The first instance runs the migrations; the others then start at once.
    await startInstance(state, 0);
    await Promise.all(Array.from({ length: count - 1 }, (_, i) => startInstance(state, i + 1)));
    for (const instance of state.instances) log(`instance ${instanceUrl(instance)}`);

    mkdirSync(state.lb.prefix, { recursive: true });
    state.lb.port = await freePort();
    const conf = renderNginx(
      state.lb.prefix,
      state.lb.port,
      state.instances.map((i) => i.port),
    );
    await checkNginx(state.lb.prefix, conf);
    state.lb.pid = startNginx(state.lb.prefix, conf);
    writeState(state);
    await until('nginx answering', 15_000, () => answers(`http://127.0.0.1:${state.lb.port}/api/health`));
    log(`lb http://127.0.0.1:${state.lb.port}`);

    if (options.prometheus) {
      const port = await freePort();
      const pid = startPrometheus(
        path.join(options.dir, 'prometheus'),
        port,
        state.instances.map((i) => i.port),
      );
      state.prometheus = { port, pid };
      writeState(state);
      await until('prometheus ready', 30_000, () => answers(`http://127.0.0.1:${port}/-/ready`));
      log(`prometheus http://127.0.0.1:${port}`);
    }
    return state;
  } catch (error) {
    await stopTopology(options.dir).catch(() => {});
    throw error;
  }
}

/** Stops every part recorded in `dir` (whatever state each is in) and removes the directory. */
export async function stopTopology(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (!state) return false;
  const pids = [
    state.lb.pid,
    state.prometheus?.pid ?? 0,
    // A hole (null in state.json) while an instance of a later index started first.
    ...(state.instances as (InstanceState | null | undefined)[]).flatMap((i) => (i ? [i.pid] : [])),
    ...state.redis.pids,
  ].filter((pid) => pid > 0);
  for (const pid of pids) {
    signalGroup(pid, 'SIGCONT');
    signalGroup(pid, 'SIGKILL');
  }
  await Promise.all(pids.map((pid) => waitForExit(pid, 10_000)));
  for (const node of [state.postgres.replica, state.postgres.primary]) {
    if (node.dataDir) await stopPg(node).catch(() => {});
  }
  rmSync(dir, { recursive: true, force: true });
  return true;
}
