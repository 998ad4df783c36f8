/**
 * A deployment of the fault tests' own: a PostgreSQL cluster, a redis-server and two instances of
 * the real server binary on them, and `underLoad`, which runs concurrent clients through a fault
 * and checks the invariants of fault-load.ts afterwards. Everything runs on 127.0.0.1 and is ended
 * by `destroy()` (also when a test failed half-way).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { newId } from '@duet/shared';
import { account, type Account } from './accounts.ts';
import { linkPartners, push } from './api.ts';
import { FaultClient, FaultLog, checkInvariants, runLoad, waitUntil, type Target } from './fault-load.ts';
import { startPgCluster, type PgCluster } from './pg-cluster.ts';
import { killAllRedisProcesses, startRedisProcess, type RedisProcess } from './redis-process.ts';
import { killAllServerProcesses, startServerProcess, type ServerProcess } from './server-process.ts';
import { hlcAt } from './sync-client.ts';

/** Load before the fault, and after the recovery, so both sides of it are exercised. */
const WARMUP_MS = 1500;
const AFTER_RECOVERY_MS = 1500;
const SETTLE_MS = 30_000;

export interface Deployment {
  cluster: PgCluster;
  redis: RedisProcess;
  /** What the clients address; a restarted instance keeps its Target with a new url. */
  targets: [Target, Target];
  processes: [ServerProcess, ServerProcess];
  /** Starts instance `i` again (after it was killed or stopped) on the same database and Redis. */
  restartInstance(i: 0 | 1): Promise<void>;
  /** Starts the redis-server again on its port (after a kill). */
  restartRedis(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startDeployment(): Promise<Deployment> {
  const cluster = await startPgCluster();
  // Uploads go under DATA_DIR: a directory of this deployment's own, removed with it.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'duet-fault-data-'));
  const end = async () => {
    await killAllServerProcesses();
    await killAllRedisProcesses();
    await cluster.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let redis: RedisProcess | undefined;
  try {
    redis = await startRedisProcess();
    const env = {
      DATABASE_URL: cluster.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `duet_fault_${randomBytes(4).toString('hex')}:`,
      DATA_DIR: dataDir,
    };
    // One after the other: the first runs the migrations.
    const first = await startServerProcess(env);
    const second = await startServerProcess(env);
    const deployment: Deployment = {
      cluster,
      redis,
      targets: [
        { name: 'A', url: first.url },
        { name: 'B', url: second.url },
      ],
      processes: [first, second],
      async restartInstance(i) {
        const started = await startServerProcess(env);
        deployment.processes[i] = started;
        deployment.targets[i].url = started.url;
      },
      async restartRedis() {
        deployment.redis = await startRedisProcess(deployment.redis.port);
      },
      destroy: end,
    };
    return deployment;
  } catch (error) {
    await end();
    throw error;
  }
}

/** Two partners with a conversation each in their shared space. */
async function scene(deployment: LoadDeployment): Promise<{ ana: Account; ben: Account; conversations: [string, string, string] }> {
  const server = deployment.targets[0];
  const ana = await account(server, 'Ana');
  const ben = await account(server, 'Ben');
  const spaceId = await linkPartners(server, ana.token, ben.token);
  const conversations: [string, string, string] = [newId(), newId(), newId()];
  const clientId = `setup-${newId()}`;
  await push(
    server,
    ana.token,
    clientId,
    conversations.map((id, i) => ({
      id: i + 1,
      name: 'conversation.create',
      args: { id, spaceId, title: `fault ${i}` },
      hlc: hlcAt(Date.now(), clientId, i),
    })),
  );
  return { ana, ben, conversations };
}

/** What `underLoad` drives: the instances (any deployment of them, on any services). */
export type LoadDeployment = Pick<Deployment, 'targets' | 'processes'>;

export interface FaultContext<D extends LoadDeployment = Deployment> {
  log: FaultLog;
  deployment: D;
}

/**
 * Runs three writers and two readers (both users, both instances) through `fault`, which injects
 * the fault, heals it and returns when it healed. Then waits for a push to succeed on each
 * instance (the recovery time, printed), lets the load run a little longer, settles every client
 * and checks the invariants.
 */
export async function underLoad<D extends LoadDeployment = Deployment>(
  deployment: D,
  label: string,
  fault: (context: FaultContext<D>) => Promise<number>,
): Promise<FaultLog> {
  const log = new FaultLog();
  try {
    return await runFault(log, deployment, label, fault);
  } catch (error) {
    // The instances' own account of what happened is most of the diagnosis.
    const outputs = deployment.processes.map(
      (p, i) =>
        `--- instance ${deployment.targets[i]?.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? 'none'}):\n${p.output().slice(-3000)}`,
    );
    const recent = log.requests
      .slice(-12)
      .map(
        (r) =>
          `${r.path} ${r.target} +${r.startedAt - (log.requests[0]?.startedAt ?? 0)} ms: ${r.status} ${r.code ?? r.error ?? ''} in ${r.ms} ms`,
      );
    if (error instanceof Error) error.message += `\n${log.summary()}\nlast requests:\n${recent.join('\n')}\n${outputs.join('\n')}`;
    throw error;
  }
}

async function runFault<D extends LoadDeployment>(
  log: FaultLog,
  deployment: D,
  label: string,
  fault: (context: FaultContext<D>) => Promise<number>,
): Promise<FaultLog> {
  const { ana, ben, conversations } = await scene(deployment);
  const targets = deployment.targets;
  const clients = [
    new FaultClient('ana-writer-1', ana, targets, log, conversations[0]),
    new FaultClient('ana-writer-2', ana, targets, log, conversations[1]),
    new FaultClient('ben-writer', ben, targets, log, conversations[2]),
    new FaultClient('ana-reader', ana, targets, log, null),
    new FaultClient('ben-reader', ben, targets, log, null),
  ];
  let stop: () => void = () => {};
  const load = runLoad(clients, new Promise<void>((resolve) => (stop = resolve)));
  const recovery: string[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const faultAt = Date.now();
    const healedAt = await fault({ log, deployment });
    for (const target of targets) {
      await waitUntil(`a push through ${target.name} after the fault`, async () => {
        // An instance that died by itself will not recover: say so at once rather than after the timeout.
        const dead = deployment.processes.findIndex((p) => p.child.exitCode !== null || p.child.signalCode !== null);
        if (dead >= 0) throw new Error(`instance ${targets[dead]?.name} exited by itself during the fault`);
        return log.firstSuccessAfter(healedAt, '/api/sync/push', target.name) !== undefined;
      });
      const first = log.firstSuccessAfter(healedAt, '/api/sync/push', target.name);
      recovery.push(`${target.name} ${first ? first.startedAt + first.ms - healedAt : Number.NaN} ms`);
    }
    console.log(
      `[fault: ${label}] fault lasted ${healedAt - faultAt} ms; recovery (healed -> first acknowledged push): ${recovery.join(', ')}`,
    );
    await new Promise((resolve) => setTimeout(resolve, AFTER_RECOVERY_MS));
  } finally {
    stop();
    await load;
  }
  const deadline = Date.now() + SETTLE_MS;
  // Every outbox empties before anyone pulls to the end: a reader that finished while a writer
  // still pushed would hold less than the server, with nothing wrong.
  await Promise.all(clients.map((client) => client.flush(deadline)));
  await Promise.all(clients.map((client) => client.pullToEnd(deadline)));
  const written = clients.reduce((n, c) => n + c.acked.size, 0);
  console.log(`[fault: ${label}] ${written} messages acknowledged; ${log.summary()}`);
  await checkInvariants(log, clients, targets);
  for (const [i, process] of deployment.processes.entries()) {
    expect(
      process.child.exitCode === null && process.child.signalCode === null,
      `instance ${targets[i]?.name} is still up:\n${process.output().slice(-2000)}`,
    ).toBe(true);
  }
  return log;
}
