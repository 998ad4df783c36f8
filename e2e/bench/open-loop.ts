/**
 * The open-loop load bench: the server in its own process, the load from separate processes
 * (open-loop-worker.ts) at fixed arrival rates, then a ramp up to saturation. A realistic mix:
 * partners pushing batches of 1 to 25 messages into their shared space and pulling each other's,
 * idle devices pulling nothing new, stats and /me. Per phase: p50/p95/p99 per route (from when each
 * request was due), errors, and the CPU the server, its Postgres backends, Redis and the load
 * generator spent, read from /proc, so the server's CPU per request is measured, not guessed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { percentile, round } from './node-device.ts';
import type { LoadUser, PhaseOrder, PhaseReport, RouteName } from './open-loop-types.ts';
import { backendPids, CpuMeter, machineBusyMs, redisPid } from './process-cpu.ts';

const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = fileURLToPath(new URL('./open-loop-worker.ts', import.meta.url));

export const REALISTIC_MIX: PhaseOrder['mix'] = { push: 40, pull: 25, emptyPull: 20, stats: 10, me: 5 };

export interface RouteFigures {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface PhaseResult {
  name: string;
  targetRate: number;
  /** Requests answered per second of the phase. */
  achievedRate: number;
  seconds: number;
  requests: number;
  mutations: number;
  all: RouteFigures;
  routes: Partial<Record<RouteName, RouteFigures>>;
  errors: Record<string, number>;
  errorCount: number;
  /** CPU ms spent during the phase. `other`: the machine's busy time nobody here accounts for (other work on the box). */
  cpu: { server: number; postgres: number; redis: number; load: number; machine: number; other: number };
  serverCpuMsPerRequest: number;
}

export interface OpenLoopResult {
  label: string;
  users: { pairs: number; solo: number };
  workers: number;
  phases: PhaseResult[];
  /** The highest arrival rate at which p95 stayed under 50 ms with no errors. */
  highestRateP95Under50: number | null;
  serverCpuMsPerPush: number | null;
  serverCpuMsPerPull: number | null;
  saturatedAt: number | null;
}

async function post<T>(base: string, path: string, body: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}/api${path}`, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Partners (each pair with a conversation in its shared space) and solo readers. */
async function setUpUsers(base: string, pairs: number, solo: number): Promise<LoadUser[]> {
  const run = Math.random().toString(36).slice(2, 8);
  const signup = (i: number) =>
    post<{ token: string }>(base, '/auth/signup', { email: `ol-${run}-${i}@bench.test`, password: 'bench-password', displayName: `U${i}` });
  const tokens: string[] = [];
  const count = pairs * 2 + solo;
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(Array.from({ length: Math.min(8, count - i) }, (_, j) => signup(i + j)));
    tokens.push(...batch.map((b) => b.token));
  }
  const users: LoadUser[] = [];
  for (let p = 0; p < pairs; p++) {
    const [a, b] = [tokens[2 * p] as string, tokens[2 * p + 1] as string];
    const invite = await post<{ code: string }>(base, '/invites', {}, a);
    const { space } = await post<{ space: { id: string } }>(base, '/invites/accept', { code: invite.code }, b);
    const conversationId = `ol-${run}-c${p}`;
    const hlc = `${String(Date.now()).padStart(15, '0')}:00000:setup${p}`;
    await post(
      base,
      '/sync/push',
      {
        clientId: `setup-${p}`,
        mutations: [{ id: 1, name: 'conversation.create', args: { id: conversationId, spaceId: space.id, title: `Pair ${p}` }, hlc }],
      },
      a,
    );
    users.push({ index: 2 * p, token: a, clientBase: `ol${2 * p}`, role: 'pair', conversationId });
    users.push({ index: 2 * p + 1, token: b, clientBase: `ol${2 * p + 1}`, role: 'pair', conversationId });
  }
  for (let s = 0; s < solo; s++) {
    const index = pairs * 2 + s;
    users.push({ index, token: tokens[index] as string, clientBase: `ol${index}`, role: 'solo', conversationId: '' });
  }
  return users;
}

function figures(values: readonly number[]): RouteFigures {
  return {
    count: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
  };
}

class LoadWorkers {
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(count: number, port: number, users: LoadUser[]): Promise<LoadWorkers> {
    const children = Array.from({ length: count }, () => fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
    await Promise.all(
      children.map(
        (child, index) =>
          new Promise<void>((resolve, reject) => {
            child.once('message', () => resolve());
            child.once('exit', (code) => reject(new Error(`load worker exited with ${code}`)));
            child.send({ type: 'init', host: '127.0.0.1', port, index, users: users.filter((_, i) => i % count === index) });
          }),
      ),
    );
    return new LoadWorkers(children);
  }

  pids(): number[] {
    return this.children.flatMap((c) => (c.pid ? [c.pid] : []));
  }

  run(order: Omit<PhaseOrder, 'type'>): Promise<PhaseReport[]> {
    const share = { ...order, type: 'phase' as const, rate: order.rate / this.children.length };
    return Promise.all(
      this.children.map(
        (child) =>
          new Promise<PhaseReport>((resolve, reject) => {
            child.once('message', (message: { type: string; report?: PhaseReport; error?: string }) =>
              message.report ? resolve(message.report) : reject(new Error(message.error ?? 'load worker failed')),
            );
            child.send(share);
          }),
      ),
    );
  }

  stop(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }
}

async function measuredPhase(
  name: string,
  order: Omit<PhaseOrder, 'type'>,
  workers: LoadWorkers,
  server: AppServer,
  redis: number | null,
): Promise<PhaseResult> {
  const meters = {
    server: new CpuMeter(() => [server.pid]),
    postgres: new CpuMeter(() => backendPids(ADMIN_DATABASE_URL, server.database)),
    redis: new CpuMeter(() => (redis ? [redis] : [])),
  };
  await Promise.all(Object.values(meters).map((m) => m.begin()));
  const machineBefore = machineBusyMs();
  const reports = await workers.run(order);
  const machine = machineBusyMs() - machineBefore;
  const [serverMs, postgresMs, redisMs] = await Promise.all([meters.server.spent(), meters.postgres.spent(), meters.redis.spent()]);

  const byRoute: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  for (const report of reports) {
    for (const [route, values] of Object.entries(report.latencies)) (byRoute[route] ??= []).push(...values);
    for (const [kind, n] of Object.entries(report.errors)) errors[kind] = (errors[kind] ?? 0) + n;
  }
  const all = Object.values(byRoute).flat();
  const wall = Math.max(...reports.map((r) => r.wallSeconds));
  const load = reports.reduce((a, r) => a + r.cpuMs, 0);
  const requests = reports.reduce((a, r) => a + r.requests, 0);
  const routes: PhaseResult['routes'] = {};
  for (const [route, values] of Object.entries(byRoute)) routes[route as RouteName] = figures(values);
  const errorCount = Object.values(errors).reduce((a, n) => a + n, 0);
  const result: PhaseResult = {
    name,
    targetRate: order.rate,
    achievedRate: round(all.length / wall),
    seconds: round(wall, 2),
    requests,
    mutations: reports.reduce((a, r) => a + r.mutations, 0),
    all: figures(all),
    routes,
    errors,
    errorCount,
    cpu: {
      server: serverMs,
      postgres: postgresMs,
      redis: redisMs,
      load: round(load),
      machine,
      other: round(Math.max(0, machine - serverMs - postgresMs - redisMs - load)),
    },
    serverCpuMsPerRequest: round(serverMs / Math.max(1, all.length), 2),
  };
  process.stderr.write(
    `[bench] open loop ${name}: ${result.achievedRate}/s p50 ${result.all.p50} p95 ${result.all.p95} p99 ${result.all.p99} ms, errors ${errorCount}, server CPU ${result.serverCpuMsPerRequest} ms/request\n`,
  );
  return result;
}

export interface OpenLoopOptions {
  label: string;
  /** Another checkout's sync-server folder (the "before" of a comparison). */
  serverDir?: string;
  quick?: boolean;
  /** Only the fixed rates the comparison needs, no ramp. */
  rates?: number[];
  ramp?: boolean;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const quick = options.quick ?? false;
  const pairs = quick ? 20 : 80;
  const solo = quick ? 10 : 40;
  const seconds = quick ? 3 : 8;
  const server = await startAppServer({}, options.serverDir ? { serverDir: options.serverDir } : {});
  let workers: LoadWorkers | null = null;
  try {
    const base = server.url.replace('localhost', '127.0.0.1');
    const users = await setUpUsers(base, pairs, solo);
    workers = await LoadWorkers.start(2, Number(new URL(base).port), users);
    const redis = await redisPid(REDIS_URL);
    // Warm-up: every device's first pull, connections opened, code paths hot.
    await workers.run({ rate: 100, seconds: 3, mix: REALISTIC_MIX });

    const phases: PhaseResult[] = [];
    const rates = options.rates ?? (quick ? [100, 333] : [100, 333, 1000, 1200]);
    for (const rate of rates) phases.push(await measuredPhase(`${rate}/s`, { rate, seconds, mix: REALISTIC_MIX }, workers, server, redis));
    const pushOnly = await measuredPhase('push only, 300/s', { rate: 300, seconds: 5, mix: { push: 1 } }, workers, server, redis);
    const pullOnly = await measuredPhase(
      'pull only, 300/s',
      { rate: 300, seconds: 5, mix: { pull: 25, emptyPull: 20 } },
      workers,
      server,
      redis,
    );
    phases.push(pushOnly, pullOnly);

    let saturatedAt: number | null = null;
    if (options.ramp ?? !quick) {
      // Like the seeds' k6 stages, but open loop: each step a higher arrival rate, until the server falls behind.
      for (const rate of [1400, 1700, 2000, 2400, 2800]) {
        const phase = await measuredPhase(`ramp ${rate}/s`, { rate, seconds: 5, mix: REALISTIC_MIX }, workers, server, redis);
        phases.push(phase);
        if (phase.all.p95 > 500 || phase.errorCount > phase.requests * 0.05 || phase.achievedRate < rate * 0.9) {
          saturatedAt = rate;
          break;
        }
      }
    }
    const mixed = phases.filter((p) => p !== pushOnly && p !== pullOnly);
    const good = mixed.filter((p) => p.all.p95 < 50 && p.errorCount === 0 && p.achievedRate >= p.targetRate * 0.9);
    return {
      label: options.label,
      users: { pairs, solo },
      workers: 2,
      phases,
      highestRateP95Under50: good.length ? Math.max(...good.map((p) => p.targetRate)) : null,
      serverCpuMsPerPush: pushOnly.serverCpuMsPerRequest,
      serverCpuMsPerPull: pullOnly.serverCpuMsPerRequest,
      saturatedAt,
    };
  } finally {
    workers?.stop();
    await server.stop();
  }
}

export interface CpuComparisonSide {
  label: string;
  /** Medians over the rounds, ms of CPU per request answered. */
  serverPerPush: number;
  postgresPerPush: number;
  serverPerPull: number;
  postgresPerPull: number;
  pushP50: number;
  pullP50: number;
  rounds: Array<{ push: PhaseResult; pull: PhaseResult }>;
}

const median = (values: number[]) => round(percentile(values, 50), 2);

/**
 * CPU per push and per pull of two servers (a "before" checkout and this one) measured side by
 * side: both run at once, and their phases alternate (A, B, A, B, ...), so a change in the
 * machine's other load hits both alike. The rate is low, so each side keeps up even on a busy
 * machine: what differs is the CPU each request costs, read from /proc.
 */
export async function runCpuComparison(
  sides: Array<{ label: string; serverDir?: string }>,
  options: { rounds: number; rate: number; seconds: number },
): Promise<CpuComparisonSide[]> {
  const started: Array<{ label: string; server: AppServer; workers: LoadWorkers }> = [];
  try {
    for (const side of sides) {
      const server = await startAppServer({}, side.serverDir ? { serverDir: side.serverDir } : {});
      const base = server.url.replace('localhost', '127.0.0.1');
      const workers = await LoadWorkers.start(1, Number(new URL(base).port), await setUpUsers(base, 20, 10));
      started.push({ label: side.label, server, workers });
      await workers.run({ rate: 50, seconds: 3, mix: REALISTIC_MIX });
    }
    const rounds = new Map<string, Array<{ push: PhaseResult; pull: PhaseResult }>>();
    const phase = { rate: options.rate, seconds: options.seconds };
    for (let r = 0; r < options.rounds; r++) {
      for (const { label, server, workers } of started) {
        const push = await measuredPhase(`${label}: push only, round ${r + 1}`, { ...phase, mix: { push: 1 } }, workers, server, null);
        const pull = await measuredPhase(
          `${label}: pull only, round ${r + 1}`,
          { ...phase, mix: { pull: 25, emptyPull: 20 } },
          workers,
          server,
          null,
        );
        rounds.set(label, [...(rounds.get(label) ?? []), { push, pull }]);
      }
    }
    return started.map(({ label }) => {
      const list = rounds.get(label) ?? [];
      const per = (p: PhaseResult, cpu: number) => cpu / Math.max(1, p.all.count);
      return {
        label,
        serverPerPush: median(list.map((x) => per(x.push, x.push.cpu.server))),
        postgresPerPush: median(list.map((x) => per(x.push, x.push.cpu.postgres))),
        serverPerPull: median(list.map((x) => per(x.pull, x.pull.cpu.server))),
        postgresPerPull: median(list.map((x) => per(x.pull, x.pull.cpu.postgres))),
        pushP50: median(list.map((x) => x.push.all.p50)),
        pullP50: median(list.map((x) => x.pull.all.p50)),
        rounds: list,
      };
    });
  } finally {
    for (const { server, workers } of started) {
      workers.stop();
      await server.stop();
    }
  }
}
