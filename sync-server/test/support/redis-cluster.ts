/**
 * A Redis Cluster of the test's own: redis-server nodes in cluster mode on spare 127.0.0.1 ports,
 * joined with `redis-cli --cluster create`, optionally with a replica per master (for failover).
 * Nothing persists; each node's cluster state lives in a temporary directory removed by destroy().
 * Every node is a tracked redis-process.ts child, so none outlives the test process.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { freePort, startRedisProcess, type RedisProcess } from './redis-process.ts';

const run = promisify(execFile);
/** How long a node may be silent before the others count it failed (and its replica takes over). */
const NODE_TIMEOUT_MS = 1000;

export interface RedisClusterNode {
  port: number;
  process: RedisProcess;
}

export interface ClusterRole {
  port: number;
  role: 'master' | 'replica';
  /** A replica's master. */
  masterPort: number | null;
}

export interface RedisCluster {
  /** For REDIS_CLUSTER_NODES: `127.0.0.1:port,...` of every node. */
  nodes: string;
  ports: number[];
  /** Every node's role now, as the cluster sees it (from a live node). */
  roles(): Promise<ClusterRole[]>;
  /** The master that serves `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** A replica of the master on `port`, or null. */
  replicaOf(masterPort: number): Promise<number | null>;
  /** SIGKILLs the node on `port`. */
  kill(port: number): Promise<void>;
  /** SIGSTOP / SIGCONT the node on `port`: connected, never answering. */
  pause(port: number): void;
  resume(port: number): void;
  /** `CLUSTER FAILOVER` on a replica: it takes over from its master once it has every write. */
  failover(replicaPort: number): Promise<void>;
  /** FLUSHALL on one node (a master, to lose its keys). */
  flush(port: number): Promise<void>;
  /** Waits until every live node says cluster_state:ok and every slot has a live master. */
  healthy(timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
}

async function onNode<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** CLUSTER NODES of a node, parsed (`myself` flags dropped). */
async function clusterNodes(
  port: number,
): Promise<Array<{ id: string; port: number; master: boolean; failed: boolean; masterId: string; slots: string[] }>> {
  const text = await onNode(port, (redis) => redis.call('CLUSTER', 'NODES') as Promise<string>);
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id = '', address = '', flags = '', masterId = '', , , , , ...slots] = line.split(' ');
      const flagList = flags.split(',');
      return {
        id,
        port: Number(address.split('@')[0]?.split(':')[1]),
        master: flagList.includes('master'),
        failed: flagList.includes('fail') || flagList.includes('fail?'),
        masterId,
        slots,
      };
    });
}

/** Whether `slot` is in one of CLUSTER NODES' slot ranges (`0-5460`, `42`). */
function servesSlot(ranges: readonly string[], slot: number): boolean {
  return ranges.some((range) => {
    if (range.startsWith('[')) return false;
    const [from = -1, to = from] = range.split('-').map(Number);
    return slot >= from && slot <= to;
  });
}

/**
 * Waits until every master has `perMaster` replicas with their copy done and listed in CLUSTER
 * SLOTS (which clients read): Redis lists a replica there only once it has replicated something,
 * so each master first gets one write.
 */
export async function replicasOnline(cluster: RedisCluster, perMaster: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const first = cluster.ports[0] as number;
  for (const node of (await clusterNodes(first)).filter((n) => n.master && !n.failed)) {
    let i = 0;
    while (!servesSlot(node.slots, calculateSlot(`duet-warm-${i}`))) i++;
    await onNode(node.port, (redis) => redis.set(`duet-warm-${i}`, '1'));
  }
  for (;;) {
    const slots = await onNode(first, (redis) => redis.call('CLUSTER', 'SLOTS') as Promise<unknown[][]>);
    if (slots.every((entry) => entry.length >= 3 + perMaster)) return;
    if (Date.now() > deadline) throw new Error(`the replicas were not listed in CLUSTER SLOTS within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts `masters` master nodes (3 at least) and `replicasPerMaster` replicas of each, creates the
 * cluster and waits until it serves every slot.
 */
export async function startRedisCluster(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 0;
  const root = mkdtempSync(path.join(os.tmpdir(), 'duet-redis-cluster-'));
  const started: RedisClusterNode[] = [];
  const killed = new Set<number>();

  const live = () => started.filter((n) => !killed.has(n.port));
  const anyLive = () => {
    const node = live()[0];
    if (!node) throw new Error('no node of the cluster is running');
    return node.port;
  };

  const cluster: RedisCluster = {
    nodes: '',
    ports: [],
    async roles() {
      const nodes = await clusterNodes(anyLive());
      const portOf = new Map(nodes.map((n) => [n.id, n.port]));
      return nodes
        .filter((n) => !n.failed && !killed.has(n.port))
        .map((n) => ({
          port: n.port,
          role: n.master ? 'master' : 'replica',
          masterPort: n.master ? null : (portOf.get(n.masterId) ?? null),
        }));
    },
    async masterOf(key) {
      const slot = calculateSlot(key);
      const nodes = await clusterNodes(anyLive());
      for (const node of nodes) if (node.master && !node.failed && servesSlot(node.slots, slot)) return node.port;
      throw new Error(`no live master serves slot ${slot}`);
    },
    async replicaOf(masterPort) {
      const roles = await cluster.roles();
      return roles.find((r) => r.role === 'replica' && r.masterPort === masterPort)?.port ?? null;
    },
    async kill(port) {
      const node = started.find((n) => n.port === port);
      if (!node) throw new Error(`no node on ${port}`);
      killed.add(port);
      await node.process.kill('SIGKILL');
    },
    pause(port) {
      started.find((n) => n.port === port)?.process.child.kill('SIGSTOP');
    },
    resume(port) {
      started.find((n) => n.port === port)?.process.child.kill('SIGCONT');
    },
    async failover(replicaPort) {
      await onNode(replicaPort, (redis) => redis.call('CLUSTER', 'FAILOVER'));
    },
    async flush(port) {
      await onNode(port, (redis) => redis.flushall());
    },
    async healthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        try {
          const states = await Promise.all(live().map((n) => onNode(n.port, (redis) => redis.call('CLUSTER', 'INFO') as Promise<string>)));
          const ok = states.every((s) => /cluster_state:ok/.test(s) && /cluster_slots_ok:16384/.test(s));
          if (ok) return;
          last = states.map((s) => /cluster_state:\w+/.exec(s)?.[0]).join(', ');
        } catch (error) {
          last = String(error);
        }
        if (Date.now() > deadline) throw new Error(`the Redis Cluster was not healthy within ${timeoutMs} ms: ${last}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async destroy() {
      for (const node of started) node.process.child.kill('SIGCONT');
      await Promise.all(started.map((n) => n.process.kill('SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    },
  };

  try {
    const count = masters * (1 + replicasPerMaster);
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const dir = path.join(root, String(port));
      mkdirSync(dir);
      const args = ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir];
      // A replica syncs at once (the default waits 5 s for more replicas to share one transfer).
      args.push('--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--repl-diskless-sync-delay', '0');
      started.push({ port, process: await startRedisProcess(port, 10_000, args) });
    }
    const addresses = started.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], {
      timeout: 60_000,
    });
    cluster.nodes = addresses.join(',');
    cluster.ports = started.map((n) => n.port);
    await cluster.healthy();
    // A replica attaches to its master and copies it a moment after the slots are served.
    if (replicasPerMaster > 0) await replicasOnline(cluster, replicasPerMaster);
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
