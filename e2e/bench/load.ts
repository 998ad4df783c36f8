/**
 * Load: K simulated devices (our real engine in Node), all at once, each creating a conversation
 * and pushing 100 messages in batches, then pulling; then repeated empty pulls for the cache.
 */
import { cacheHits, scrapeCounters, serverQuantile } from './metrics-text.ts';
import { createDevice, percentile, round, type Device, type RequestTiming, type TimingSink } from './node-device.ts';
import { messageBody } from './workload.ts';

export interface LoadResult {
  devices: number;
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
}

const MESSAGES = 100;
const BATCH = 25;
const EMPTY_PULLS = 5;

async function signedUpDevice(baseUrl: string, timings: TimingSink, i: number, run: string): Promise<{ device: Device; spaceId: string }> {
  const device = createDevice({ baseUrl, timings, pushBatchSize: BATCH });
  await device.ready;
  await device.auth.signup({ email: `load-${run}-${i}@bench.test`, password: 'bench-password', displayName: `Device ${i}` });
  await device.engine.syncNow();
  const spaces = await device.read.spaces();
  const personal = spaces.find((s) => s.kind === 'personal');
  if (!personal) throw new Error('no personal space after the first sync');
  return { device, spaceId: personal.id };
}

function stats(timings: RequestTiming[], path: string) {
  const ms = timings.filter((t) => t.path === path).map((t) => t.ms);
  return { requests: ms.length, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)) };
}

export async function runLoad(baseUrl: string, k: number): Promise<LoadResult> {
  const run = Math.random().toString(36).slice(2, 8);
  // Every device's timings go to one sink, switched on for the measured phase only.
  const sink: TimingSink = { current: null };
  // Accounts first (scrypt is slow on purpose), a few at a time.
  const devices: Array<{ device: Device; spaceId: string }> = [];
  for (let i = 0; i < k; i += 10) {
    devices.push(...(await Promise.all(Array.from({ length: Math.min(10, k - i) }, (_, j) => signedUpDevice(baseUrl, sink, i + j, run)))));
  }
  const timings: RequestTiming[] = [];
  sink.current = timings;
  const scrapeBefore = await scrapeCounters(baseUrl);

  const started = performance.now();
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  const note = (kind: string) => {
    errors += 1;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  await Promise.all(
    devices.map(async ({ device, spaceId }, i) => {
      try {
        const conversationId = device.newId();
        await device.mutate('conversation.create', { id: conversationId, spaceId, title: `Load ${i}` });
        for (let m = 0; m < MESSAGES; m++) {
          await device.mutate('message.add', { id: device.newId(), conversationId, body: messageBody(i * MESSAGES + m) });
        }
        await device.engine.syncNow();
        const status = device.engine.getStatus();
        if (status.error) note(`sync error ${status.error}`);
        else if (status.pending !== 0) note('changes left unsent');
      } catch (error) {
        note(`thrown: ${String(error)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const scrapeAfter = await scrapeCounters(baseUrl);
  const serverP95 = {
    push: serverQuantile(scrapeBefore, scrapeAfter, '/api/sync/push', 0.95),
    pull: serverQuantile(scrapeBefore, scrapeAfter, '/api/sync/pull', 0.95),
  };
  const result = await finish(
    baseUrl,
    devices.map((d) => d.device),
    timings,
    { k, seconds, errors, errorKinds },
  );
  sink.current = null;
  return { ...result, serverP95 };
}

async function finish(
  baseUrl: string,
  devices: Device[],
  timings: RequestTiming[],
  run: { k: number; seconds: number; errors: number; errorKinds: Record<string, number> },
): Promise<Omit<LoadResult, 'serverP95'>> {
  const before = await scrapeCounters(baseUrl);
  for (let i = 0; i < EMPTY_PULLS; i++) await Promise.all(devices.map((d) => d.engine.syncNow()));
  const after = await scrapeCounters(baseUrl);
  const failed = timings.filter((t) => t.status >= 400);
  for (const t of failed) run.errorKinds[`HTTP ${t.status} ${t.path}`] = (run.errorKinds[`HTTP ${t.status} ${t.path}`] ?? 0) + 1;
  const push = stats(timings, '/api/sync/push');
  const pull = stats(timings, '/api/sync/pull');
  const both = timings.filter((t) => t.path === '/api/sync/push' || t.path === '/api/sync/pull').map((t) => t.ms);
  for (const d of devices) d.close();
  const mutations = run.k * (MESSAGES + 1);
  return {
    devices: run.k,
    messagesPerDevice: MESSAGES,
    pushBatchSize: BATCH,
    mutations,
    seconds: round(run.seconds, 2),
    mutationsPerSecond: Math.round(mutations / run.seconds),
    push,
    pull,
    pushPullP95: round(percentile(both, 95)),
    errors: run.errors + failed.length,
    errorKinds: run.errorKinds,
    emptyPullCache: cacheHits(before, after, 'pull'),
  };
}
