/**
 * A Redis Cluster of three masters (redis-server in cluster mode, no replicas, no persistence) on
 * their own loopback ports, formed with `redis-cli --cluster create`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, run, startDetached, until } from './processes.ts';

export interface RedisNode {
  port: number;
  pid: number;
  logFile: string;
}

export function startRedisNode(root: string, port: number): RedisNode {
  const dir = path.join(root, String(port));
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'redis.log');
  const pid = startDetached(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      path.join(dir, 'nodes.conf'),
      '--cluster-node-timeout',
      '3000',
    ],
    { logFile },
  );
  return { port, pid, logFile };
}

async function clusterState(port: number): Promise<string> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = (await redis.call('CLUSTER', 'INFO')) as string;
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
}

export async function startRedisCluster(root: string, masters = 3): Promise<RedisNode[]> {
  const nodes: RedisNode[] = [];
  for (let i = 0; i < masters; i++) nodes.push(startRedisNode(root, await freePort()));
  for (const node of nodes) await until(`redis-server on ${node.port}`, 10_000, async () => (await clusterState(node.port)) !== 'unknown');
  await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], {
    timeout: 30_000,
  });
  for (const node of nodes) await until(`cluster state ok on ${node.port}`, 20_000, async () => (await clusterState(node.port)) === 'ok');
  return nodes;
}
