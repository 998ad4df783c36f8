/**
 * Load: K simulated devices (our real engine in Node), all at once, each creating a conversation
 * and pushing 100 messages in batches, then pulling; then repeated empty pulls for the cache. The
 * devices are spread over several processes (load-worker.ts), so the latencies are less those of
 * one busy event loop; this process starts each phase in all of them at once, gathers their
 * timings, scrapes the server's metrics and reads the device processes' CPU from /proc.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadOrder, LoadReply } from './load-types.ts';
import { cacheHits, scrapeCounters, serverQuantile } from './metrics-text.ts';
import { percentile, round, type RequestTiming } from './node-device.ts';
import { machineBusyMs, processCpuMs } from './process-cpu.ts';

export interface LoadResult {
  devices: number;
  /** Node processes the devices were spread over (each holds about devices / processes). */
  processes: number;
  messagesPerDevice: number;
  pushBatchSize: number;
  mutations: number;
  seconds: number;
  mutationsPerSecond: number;
  push: { requests: number; p50: number; p95: number; p99: number };
  pull: { requests: number; p50: number; p95: number; p99: number };
  pushPullP95: number;
  /** The server's own p95 (its request histogram, bucket upper bound), without the clients' queueing. */
  serverP95: { push: number | null; pull: number | null };
  errors: number;
  /** What the errors were: HTTP statuses and sync errors, by count. */
  errorKinds: Record<string, number>;
  emptyPullCache: { hits: number; misses: number; rate: number | null };
  /**
   * How busy the load generator was during the push phase: the device processes' CPU (ms, all of
   * them), the busiest one's share of one core (100 % means its event loop never rested), and the
   * whole machine's busy share of all its cores (the server and its database included).
   */
  loadCpu: { ms: number; busiestProcessPercent: number; machineBusyPercent: number };
}

const MESSAGES = 100;
const BATCH = 25;
const EMPTY_PULLS = 5;
/** Device processes by default. */
export const LOAD_PROCESSES = 4;
/** Signups at once over all the processes (scrypt is slow on purpose). */
const SIGNUPS_AT_ONCE = 10;
/** The longest wait for one phase in the device processes; past it the run fails and they are killed. */
const PHASE_TIMEOUT_MS = 240_000;
const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

type PhaseDone = Extract<LoadReply, { type: 'phaseDone' }>;

function ask(child: ChildProcess, order: LoadOrder): Promise<LoadReply> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (reply: LoadReply) => {
      settle();
      if (reply.type === 'failed') reject(new Error(`device process: ${reply.error}`));
      else resolve(reply);
    };
    const onExit = (code: number | null) => {
      settle();
      reject(new Error(`device process exited with ${code}`));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Error(`device process did not finish '${order.type}' in ${PHASE_TIMEOUT_MS / 1000} s`));
    }, PHASE_TIMEOUT_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(order);
  });
}

class DeviceProcesses {
  private constructor(private readonly children: ChildProcess[]) {}

  static start(count: number): DeviceProcesses {
    return new DeviceProcesses(Array.from({ length: count }, () => fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })));
  }

  get count(): number {
    return this.children.length;
  }

  pids(): number[] {
    return this.children.map((c) => c.pid ?? 0);
  }

  /** Sends each process its order at once and waits for every reply. */
  all(order: (index: number) => LoadOrder): Promise<LoadReply[]> {
    return Promise.all(this.children.map((child, index) => ask(child, order(index))));
  }

  async phase(order: LoadOrder): Promise<PhaseDone[]> {
    const replies = await this.all(() => order);
    return replies.filter((r): r is PhaseDone => r.type === 'phaseDone');
  }

  stop(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function stats(timings: RequestTiming[], path: string) {
  const ms = timings.filter((t) => t.path === path).map((t) => t.ms);
  return { requests: ms.length, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)) };
}

/** Runs the load with k devices spread over `processes` processes (fewer when k is smaller). */
export async function runLoad(baseUrl: string, k: number, processes = LOAD_PROCESSES): Promise<LoadResult> {
  const run = Math.random().toString(36).slice(2, 8);
  const workers = DeviceProcesses.start(Math.max(1, Math.min(processes, k)));
  try {
    // Accounts first, a few at a time; device i goes to process i mod N.
    await workers.all((w) => ({
      type: 'signup',
      baseUrl,
      run,
      indices: Array.from({ length: k }, (_, i) => i).filter((i) => i % workers.count === w),
      concurrency: Math.max(1, Math.ceil(SIGNUPS_AT_ONCE / workers.count)),
      pushBatchSize: BATCH,
    }));
    const timings: RequestTiming[] = [];
    let errors = 0;
    const errorKinds: Record<string, number> = {};
    const collect = (replies: PhaseDone[]) => {
      for (const reply of replies) {
        timings.push(...reply.timings);
        for (const [kind, n] of Object.entries(reply.errorKinds)) {
          errors += n;
          errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
        }
      }
    };

    const scrapeBefore = await scrapeCounters(baseUrl);
    const pids = workers.pids();
    const cpuBefore = pids.map((pid) => processCpuMs(pid) ?? 0);
    const machineBefore = machineBusyMs();
    const started = performance.now();
    collect(await workers.phase({ type: 'push', messages: MESSAGES }));
    const seconds = (performance.now() - started) / 1000;
    const machineMs = machineBusyMs() - machineBefore;
    const cpu = pids.map((pid, i) => (processCpuMs(pid) ?? 0) - (cpuBefore[i] ?? 0));
    const scrapeAfter = await scrapeCounters(baseUrl);

    const before = await scrapeCounters(baseUrl);
    for (let i = 0; i < EMPTY_PULLS; i++) collect(await workers.phase({ type: 'emptyPull' }));
    const after = await scrapeCounters(baseUrl);

    const failed = timings.filter((t) => t.status >= 400);
    for (const t of failed) errorKinds[`HTTP ${t.status} ${t.path}`] = (errorKinds[`HTTP ${t.status} ${t.path}`] ?? 0) + 1;
    const both = timings.filter((t) => t.path === '/api/sync/push' || t.path === '/api/sync/pull').map((t) => t.ms);
    const mutations = k * (MESSAGES + 1);
    return {
      devices: k,
      processes: workers.count,
      messagesPerDevice: MESSAGES,
      pushBatchSize: BATCH,
      mutations,
      seconds: round(seconds, 2),
      mutationsPerSecond: Math.round(mutations / seconds),
      push: stats(timings, '/api/sync/push'),
      pull: stats(timings, '/api/sync/pull'),
      pushPullP95: round(percentile(both, 95)),
      serverP95: {
        push: serverQuantile(scrapeBefore, scrapeAfter, '/api/sync/push', 0.95),
        pull: serverQuantile(scrapeBefore, scrapeAfter, '/api/sync/pull', 0.95),
      },
      errors: errors + failed.length,
      errorKinds,
      emptyPullCache: cacheHits(before, after, 'pull'),
      loadCpu: {
        ms: cpu.reduce((a, b) => a + b, 0),
        busiestProcessPercent: round((Math.max(...cpu) / (seconds * 1000)) * 100),
        machineBusyPercent: round((machineMs / (seconds * 1000 * os.cpus().length)) * 100),
      },
    };
  } finally {
    workers.stop();
  }
}

/** The conditions of the engines rows: how the load ran, and how busy its processes and the machine were. */
export function engineLoadConditions(k: number, result: LoadResult | null, machine: string): string {
  const processes = result?.processes ?? LOAD_PROCESSES;
  const cpu = result?.loadCpu;
  const busy = cpu
    ? `; during the pushes the device processes used ${cpu.ms} ms of CPU (the busiest ${cpu.busiestProcessPercent} % of a core) and the machine was ${cpu.machineBusyPercent} % busy`
    : '';
  return `${k} devices at once in ${processes} Node processes (the parent starts each phase in all of them), 101 mutations each in pushes of 25, then 5 empty pulls each${busy}; ${machine}`;
}
