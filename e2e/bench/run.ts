/**
 * `npm run bench`: measures the system and writes e2e/bench/results/latest.json, a chart
 * (results/chart.html) and the README's table. It reports; it does not pass or fail. Everything
 * talks to 127.0.0.1 only, and every section is bounded in time.
 *
 * BENCH_QUICK=1 runs smaller sizes (for trying the harness, not for the README).
 * Flags (after `npm run bench --`):
 *   --only=openloop,sockets,...  run only these sections (engines, openloop, peer, fanout, partner, warm,
 *                                sockets, growth); the figures go to results/partial.json, not the README
 *   --before=<sync-server dir>   also run the open loop against another checkout's server (the
 *                                "before" of a change), in the same session
 *   --before-label=<text>        what the "before" is (e.g. "main at d73f0ed")
 *   --growth                     add the growth bench (1M messages seeded: minutes, not in CI)
 *   --engine-processes=<n>       spread the engines section's devices over n processes (4 by default)
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startAppServer } from '../support/app-server.ts';
import { runBrowser, runFirstSync } from './browser.ts';
import { runLighthouse } from './lighthouse-run.ts';
import { engineLoadConditions, LOAD_PROCESSES, runLoad, type LoadResult } from './load.ts';
import { growthRows, socketRows } from './scale-rows.ts';
import { runGrowth } from './growth.ts';
import { runCpuComparison, runOpenLoop } from './open-loop.ts';
import { runWsScale } from './ws-scale.ts';
import { openLoopRows } from './open-loop-rows.ts';
import { runPartnerLatency } from './partner-latency.ts';
import { runCacheWarm } from './cache-warm.ts';
import { round } from './node-device.ts';
import { runOurs } from './peer-ours.ts';
import { runPouchDb, type SyncRun } from './peer-pouchdb.ts';
import { writePartial, writeReport, type Row } from './report.ts';
import { runFanout } from './ws-fanout.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const LOAD_SIZES = quick ? [10, 20] : [50, 200];
const PEER_SIZES = quick ? [200, 1000, 5000] : [1000, 10_000, 100_000];
const CONNECTIONS = quick ? 200 : 2000;
const PARTNER_SENDS = quick ? 20 : 50;
const WARM_DEVICES = quick ? 30 : 300;
const flag = (name: string) =>
  process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=')[1] ??
  (process.argv.includes(`--${name}`) ? '' : null);
const only = flag('only')?.split(',') ?? null;
const runs = (section: string) => (only ? only.includes(section) : section !== 'growth' || flag('growth') !== null);
const beforeDir = flag('before');
const engineProcesses = Number(flag('engine-processes') || LOAD_PROCESSES);
if (!Number.isInteger(engineProcesses) || engineProcesses < 1) throw new Error('--engine-processes takes a whole number from 1');

async function bounded<T>(name: string, seconds: number, work: () => Promise<T>): Promise<T | { error: string }> {
  const started = Date.now();
  process.stderr.write(`[bench] ${name}...\n`);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`stopped after ${seconds} s`)), seconds * 1000);
      }),
    ]);
    process.stderr.write(`[bench] ${name} done in ${round((Date.now() - started) / 1000)} s\n`);
    return result;
  } catch (error) {
    process.stderr.write(`[bench] ${name} failed: ${String(error)}\n`);
    return { error: String(error instanceof Error ? error.message : error) };
  } finally {
    clearTimeout(timer);
  }
}

async function withServer<T>(work: (url: string) => Promise<T>): Promise<T> {
  const server = await startAppServer();
  try {
    return await work(server.url);
  } finally {
    await server.stop();
  }
}

/** "2 tasks over 50 ms, starting 612 / 840 ms after Log in". */
const longTaskSummary = (sync: { tasksOver50Ms: number; longTasks: Array<{ atMs: number }> }) =>
  `${sync.tasksOver50Ms} tasks over 50 ms${sync.longTasks.length > 0 ? `, starting ${sync.longTasks.map((t) => Math.round(t.atMs)).join(' / ')} ms after Log in` : ''}`;

const ok = <T extends object>(value: T | { error: string }): value is T => !('error' in value);
const total = (run: SyncRun) => run.pushMs + run.pullMs;
const bytes = (run: SyncRun) => run.push.bytesIn + run.push.bytesOut + run.pull.bytesIn + run.pull.bytesOut;

async function main(): Promise<void> {
  if (!existsSync(`${ROOT}web/dist/index.html`)) execSync('npx vite build', { cwd: ROOT, stdio: 'inherit' });
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const services = 'real PostgreSQL and Redis on 127.0.0.1, server in its own process';
  const results: Record<string, unknown> = { machine, services, quick };
  const rows: Row[] = [];

  // 1. Open-loop load.
  if (runs('openloop')) {
    const after = await bounded('open loop', 600, () => runOpenLoop({ label: 'this checkout', quick }));
    const comparison = beforeDir
      ? await bounded('CPU per request, before and after side by side', 600, () =>
          runCpuComparison(
            [{ label: `before: ${flag('before-label') ?? 'another checkout'}`, serverDir: beforeDir }, { label: 'after: this checkout' }],
            {
              rounds: quick ? 1 : 3,
              rate: 100,
              seconds: quick ? 3 : 5,
            },
          ),
        )
      : null;
    results.openLoop = { after, comparison };
    if (ok(after)) rows.push(...openLoopRows(after, machine, comparison && ok(comparison) ? comparison : null));
  }

  // 1b. Our engines as devices.
  const load: Record<number, LoadResult | { error: string }> = {};
  for (const k of runs('engines') ? LOAD_SIZES : []) {
    load[k] = await bounded(`load with ${k} devices`, 300, () => withServer((url) => runLoad(url, k, engineProcesses)));
  }
  results.load = load;
  const big = load[LOAD_SIZES[1] as number];
  const loadConditions = engineLoadConditions(LOAD_SIZES[1] as number, big && ok(big) ? big : null, machine);
  rows.push({
    figure: `push + pull p95, ${LOAD_SIZES[1]} devices`,
    value: big && ok(big) ? big.pushPullP95 : null,
    unit: 'ms',
    target: '< 50 ms',
    met: big && ok(big) ? big.pushPullP95 < 50 : null,
    conditions: loadConditions,
  });
  rows.push({
    figure: `server-side p95 push / pull, ${LOAD_SIZES[1]} devices`,
    value: big && ok(big) ? Math.max(big.serverP95.push ?? Number.NaN, big.serverP95.pull ?? Number.NaN) : null,
    unit: 'ms (bucket bound)',
    target: '(reported)',
    met: null,
    conditions: `the server's own request histogram (upper bound of the p95 bucket), so without the load generator's queueing; ${loadConditions}`,
  });
  rows.push({
    figure: `errors, ${LOAD_SIZES[1]} devices`,
    value: big && ok(big) ? big.errors : null,
    unit: '',
    target: '0',
    met: big && ok(big) ? big.errors === 0 : null,
    conditions: loadConditions,
  });
  rows.push({
    figure: `throughput, ${LOAD_SIZES[1]} devices`,
    value: big && ok(big) ? big.mutationsPerSecond : null,
    unit: 'mutations/s',
    target: '(reported)',
    met: null,
    conditions: loadConditions,
  });
  rows.push({
    figure: 'repeated empty pulls: cache hit rate',
    value: big && ok(big) && big.emptyPullCache.rate !== null ? round(big.emptyPullCache.rate * 100) : null,
    unit: '%',
    target: '> 95 %',
    met: big && ok(big) && big.emptyPullCache.rate !== null ? big.emptyPullCache.rate > 0.95 : null,
    conditions: loadConditions,
  });

  // 2. The peer.
  const peer: Record<number, unknown> = {};
  let account: { email: string; password: string; messages: number; title: string } | null = null;
  for (const n of runs('peer') ? PEER_SIZES : []) {
    const pouch = await bounded(`PouchDB replication of ${n}`, 600, () => runPouchDb(n));
    const ours = await bounded(`our push and pull of ${n}`, 1200, () =>
      withServer(async (url) => {
        const run = await runOurs(url, n);
        if (n === PEER_SIZES[1]) {
          account = { email: run.email, password: run.password, messages: n, title: 'Benchmark' };
          results.browser = await bounded('browser', 300, () => runBrowser(url, account as NonNullable<typeof account>));
          results.lighthouse = await bounded('lighthouse', 300, () => runLighthouse(`${url}/`));
        }
        if (n === PEER_SIZES[2])
          results.browserLarge = await bounded(`browser, first sync of ${n}`, 600, () =>
            runFirstSync(url, { email: run.email, password: run.password, messages: n }),
          );
        return run;
      }),
    );
    const speedup = ok(pouch) && ok(ours) ? round(total(pouch) / total(ours), 2) : null;
    peer[n] = { pouchdb: pouch, ours: ok(ours) ? { ...ours, password: undefined } : ours, speedup };
    const conditions = `${n} message-sized documents; PouchDB memory adapter, batch_size 500, to express-pouchdb (Express 4) and a fresh PouchDB; ours: pushes of 500, a fresh device pulling pages of 1000; bytes counted by a TCP proxy (headers included); ${machine}`;
    rows.push({
      figure: `speedup (PouchDB time / ours), N=${n}`,
      value: speedup,
      unit: '×',
      target: '≥ 3×',
      met: speedup === null ? null : speedup >= 3,
      conditions,
    });
    if (ok(pouch) && ok(ours)) {
      rows.push({ figure: `PouchDB push + pull, N=${n}`, value: round(total(pouch)), unit: 'ms', target: '(peer)', met: null, conditions });
      rows.push({ figure: `our push + pull, N=${n}`, value: round(total(ours)), unit: 'ms', target: '(reported)', met: null, conditions });
      rows.push({
        figure: `bytes on the wire, ours / PouchDB, N=${n}`,
        value: round(bytes(ours) / bytes(pouch), 2),
        unit: '×',
        target: '< 1',
        met: bytes(ours) < bytes(pouch),
        conditions,
      });
    }
  }
  results.peer = peer;

  // 3. and 4. The browser and Lighthouse (run above, on the account of the large peer run).
  const browser = results.browser as Awaited<ReturnType<typeof runBrowser>> | { error: string } | undefined;
  const bc = `Chromium ${quick ? '' : '(Debian) '}at 360×740, ${PEER_SIZES[1]} messages, same machine as the server`;
  rows.push({
    figure: `first sync of ${PEER_SIZES[1]} messages`,
    value: browser && ok(browser) ? round(browser.firstSyncMs) : null,
    unit: 'ms',
    target: '< 1000 ms',
    met: browser && ok(browser) ? browser.firstSyncMs < 1000 : null,
    conditions: `${bc}; from pressing Log in to every message in IndexedDB`,
  });
  rows.push({
    figure: 'first sync rate',
    value: browser && ok(browser) ? browser.firstSyncRowsPerSecond : null,
    unit: 'rows/s',
    target: '≥ 10,000 rows/s',
    met: browser && ok(browser) ? browser.firstSyncRowsPerSecond >= 10_000 : null,
    conditions: bc,
  });
  rows.push({
    figure: 'longest main-thread task during the first sync',
    value: browser && ok(browser) ? browser.longestTaskMs : null,
    unit: `ms (${browser && ok(browser) ? longTaskSummary(browser) : '?'})`,
    target: 'no task over 50 ms',
    met: browser && ok(browser) ? browser.tasksOver50Ms === 0 : null,
    conditions: `${bc}; PerformanceObserver long tasks, including signing in and the first screens`,
  });
  rows.push({
    figure: 'JS heap during the first sync, peak / after',
    value: browser && ok(browser) ? browser.heapPeakMiB : null,
    unit: `MiB (${browser && ok(browser) ? browser.heapAfterMiB : '?'} MiB after)`,
    target: '(reported)',
    met: null,
    conditions: `${bc}; performance.memory.usedJSHeapSize sampled every 100 ms (--enable-precise-memory-info)`,
  });
  const large = results.browserLarge as Awaited<ReturnType<typeof runFirstSync>> | { error: string } | undefined;
  const lbc = `Chromium ${quick ? '' : '(Debian) '}at 360×740, ${PEER_SIZES[2]} messages in one conversation, a new profile; same machine as the server`;
  rows.push({
    figure: `first sync of ${PEER_SIZES[2]} messages`,
    value: large && ok(large) ? round(large.firstSyncMs) : null,
    unit: `ms (${large && ok(large) ? large.firstSyncRowsPerSecond : '?'} rows/s)`,
    target: '(reported)',
    met: null,
    conditions: `${lbc}; from pressing Log in to every message in IndexedDB`,
  });
  rows.push({
    figure: `longest main-thread task during the first sync of ${PEER_SIZES[2]}`,
    value: large && ok(large) ? large.longestTaskMs : null,
    unit: `ms (${large && ok(large) ? longTaskSummary(large) : '?'})`,
    target: 'no task over 50 ms',
    met: large && ok(large) ? large.tasksOver50Ms === 0 : null,
    conditions: `${lbc}; PerformanceObserver long tasks, including signing in and the first screens`,
  });
  rows.push({
    figure: `JS heap during the first sync of ${PEER_SIZES[2]}, peak / after`,
    value: large && ok(large) ? large.heapPeakMiB : null,
    unit: `MiB (${large && ok(large) ? large.heapAfterMiB : '?'} MiB after)`,
    target: 'bounded',
    met: null,
    conditions: `${lbc}; performance.memory.usedJSHeapSize sampled every 100 ms; compare with the ${PEER_SIZES[1]}-message run`,
  });
  rows.push({
    figure: `progress shown during the first sync of ${PEER_SIZES[2]}`,
    value: large && ok(large) ? large.progressPercents.length : null,
    unit: `distinct percentages (bar on screen in ${large && ok(large) ? large.progressSamples : '?'} of the 100 ms samples)`,
    target: 'shown',
    met: large && ok(large) ? large.progressPercents.length > 1 : null,
    conditions: `${lbc}; the status line's progress bar read every 100 ms`,
  });
  rows.push({
    figure: 'open that conversation',
    value: browser && ok(browser) ? round(browser.openConversationMs) : null,
    unit: 'ms',
    target: '< 100 ms',
    met: browser && ok(browser) ? browser.openConversationMs < 100 : null,
    conditions: `${bc}; from the click to the newest message on screen, measured from the test driver`,
  });
  const search = browser && ok(browser) ? browser.search : null;
  rows.push({
    figure: `search ${PEER_SIZES[1]} messages offline, first query`,
    value: search ? search.firstMs : null,
    unit: 'ms',
    target: '(reported)',
    met: null,
    conditions: `${bc}; typed to results on screen, loading the search code and building the index`,
  });
  const warmConditions = `${bc}; ${search?.queries ?? 20} queries typed to results on screen, the 80 ms typing pause included`;
  rows.push({
    figure: `search ${PEER_SIZES[1]} messages offline, later queries p50`,
    value: search ? search.warmMedianMs : null,
    unit: 'ms',
    target: '(reported)',
    met: null,
    conditions: warmConditions,
  });
  rows.push({
    figure: `search ${PEER_SIZES[1]} messages offline, later queries p95`,
    value: search ? search.warmP95Ms : null,
    unit: 'ms',
    target: '< 200 ms',
    met: search ? search.warmP95Ms < 200 : null,
    conditions: warmConditions,
  });
  rows.push({
    figure: 'offline reload of the app shell',
    value: browser && ok(browser) ? round(browser.offlineReloadMs) : null,
    unit: 'ms',
    target: '< 1000 ms',
    met: browser && ok(browser) ? browser.offlineReloadMs < 1000 : null,
    conditions: bc,
  });
  rows.push({
    figure: 'JS + CSS of the first load, gzipped',
    value: browser && ok(browser) ? round(browser.firstLoadGzipBytes / 1024) : null,
    unit: 'KiB',
    target: '< 120 KiB',
    met: browser && ok(browser) ? browser.firstLoadGzipBytes < 120 * 1024 : null,
    conditions: 'web/dist, files index.html loads at once, gzip -9',
  });
  const lh = results.lighthouse as Awaited<ReturnType<typeof runLighthouse>> | { error: string } | undefined;
  const lc = 'lighthouse 12, mobile profile (simulated throttling), built app served by the sync server';
  for (const [figure, key] of [
    ['Lighthouse Performance', 'performance'],
    ['Lighthouse Accessibility', 'accessibility'],
    ['Lighthouse Best Practices', 'bestPractices'],
  ] as const) {
    const value = lh && ok(lh) ? lh[key] : null;
    rows.push({ figure, value, unit: '', target: '≥ 95', met: value === null ? null : value >= 95, conditions: lc });
  }
  rows.push({
    figure: 'Lighthouse LCP',
    value: lh && ok(lh) ? lh.lcpMs : null,
    unit: 'ms',
    target: '< 1500 ms',
    met: lh && ok(lh) && lh.lcpMs !== null ? lh.lcpMs < 1500 : null,
    conditions: lc,
  });
  rows.push({
    figure: 'Lighthouse CLS',
    value: lh && ok(lh) ? lh.cls : null,
    unit: '',
    target: '< 0.05',
    met: lh && ok(lh) && lh.cls !== null ? lh.cls < 0.05 : null,
    conditions: lc,
  });

  // 5. Real time.
  const fanout = runs('fanout')
    ? await bounded(`poke fan-out to ${CONNECTIONS} connections`, 300, () => withServer((url) => runFanout(url, CONNECTIONS)))
    : { error: 'not run' };
  results.fanout = fanout;
  const fc = `${CONNECTIONS} WebSocket connections on one instance (devices of two partners), 5 pushes, from sending the push to each poke; clients in one Node process; ${machine}`;
  rows.push({
    figure: `poke fan-out p50, ${CONNECTIONS} connections`,
    value: ok(fanout) ? fanout.p50 : null,
    unit: 'ms',
    target: '(reported)',
    met: null,
    conditions: fc,
  });
  rows.push({
    figure: `poke fan-out p99, ${CONNECTIONS} connections`,
    value: ok(fanout) ? fanout.p99 : null,
    unit: 'ms',
    target: '< 100 ms',
    met: ok(fanout) ? fanout.p99 < 100 : null,
    conditions: fc,
  });

  // 5b. Partner latency in the browser: what one partner sends, on the other's screen.
  if (runs('partner')) {
    const partner = await bounded('partner latency', 300, () =>
      withServer((url) => runPartnerLatency(url, { sends: PARTNER_SENDS, budgetMs: 240_000 })),
    );
    results.partner = partner;
    const measured = ok(partner) ? partner : null;
    const pc = measured
      ? `${measured.sends} sends A→B (after ${measured.warmUpSends} unmeasured), one at a time, each awaited on B (${measured.arrivalTimeoutMs / 1000} s bound, ${measured.misses} missed) then a ${measured.pauseMs} ms pause; `
      : '';
    const partnerConditions = `${pc}two Chromium profiles at 360×740 in two browser processes, each signed in as one partner, both in one shared conversation; one server instance on the same machine, WebSocket pokes; from A's composer submit to the text in B's message log (MutationObserver), both taken from the pages' clocks (performance.timeOrigin + now; B's clock minus A's measured ${measured ? `${measured.clockSkewMs.atStart} / ${measured.clockSkewMs.atEnd}` : '?'} ms at start / end); ${machine}`;
    rows.push({
      figure: 'partner sees a sent message p50',
      value: measured ? measured.p50 : null,
      unit: 'ms',
      target: '(reported)',
      met: null,
      conditions: partnerConditions,
    });
    rows.push({
      figure: 'partner sees a sent message p99',
      value: measured ? measured.p99 : null,
      unit: 'ms',
      target: '< 300 ms',
      met: measured ? measured.p99 < 300 && measured.misses === 0 : null,
      conditions: partnerConditions,
    });
    rows.push({
      figure: 'partner sees a sent message, max',
      value: measured ? measured.max : null,
      unit: 'ms',
      target: '(reported)',
      met: null,
      conditions: partnerConditions,
    });
    rows.push({
      figure: 'partner never saw a sent message (misses)',
      value: measured ? measured.misses : null,
      unit: `of ${measured ? measured.sends : PARTNER_SENDS}`,
      target: '0',
      met: measured ? measured.misses === 0 : null,
      conditions: partnerConditions,
    });
  }

  // 5c. The cache at a cold start, with warming off and on.
  if (runs('warm')) {
    const warm = await bounded('cache at a cold start', 300, () => runCacheWarm(WARM_DEVICES));
    results.cacheWarm = warm;
    if (ok(warm)) {
      const wc = `${warm.devices} devices that each pushed once and pulled to the end on a first instance; then a new instance on the same database with an empty cache (an unused Redis prefix, as after a flush or a first deploy) and each device's next request, an empty pull at its cursor, ten at a time; ${machine}`;
      for (const mode of warm.modes) {
        const label = mode.warming ? 'warming on' : 'warming off';
        rows.push({
          figure: `cold start, ${label}: first empty pulls answered from the cache`,
          value: mode.hitRate.pull,
          unit: `% (tokens ${mode.hitRate.token} %, spaces ${mode.hitRate.spaces} %, heads ${mode.hitRate.heads} %)`,
          target: mode.warming ? '> 95 %' : '(before)',
          met: mode.warming && mode.hitRate.pull !== null ? mode.hitRate.pull > 95 : null,
          conditions: wc,
        });
        rows.push({
          figure: `cold start, ${label}: first empty pull p95`,
          value: mode.firstPull.p95,
          unit: `ms (p50 ${mode.firstPull.p50} ms, ${mode.errors} errors)`,
          target: '(reported)',
          met: null,
          conditions: wc,
        });
        rows.push({
          figure: `cold start, ${label}: instance start to listening`,
          value: mode.startMs,
          unit: 'ms',
          target: '(reported)',
          met: null,
          conditions: `${wc}; from spawning the server process (migrations checked, warming when on) to its URL printed`,
        });
      }
    }
  }

  // 6. Sockets at scale, and growth (opt-in).
  if (runs('sockets')) {
    // One socket per person: the server's file descriptor limit (ulimit -n) bounds the count.
    const pairs = quick ? 500 : 9500;
    const sockets = await bounded(`${pairs * 2} sockets`, 1500, () =>
      runWsScale({ pairs, processes: 4, pushRate: 100, seconds: quick ? 5 : 20 }),
    );
    results.sockets = sockets;
    if (ok(sockets)) rows.push(...socketRows(sockets, machine));
  }
  if (runs('growth')) {
    const growth = await bounded('growth', 1500, () => runGrowth(quick ? [2000, 10_000] : [10_000, 100_000, 1_000_000]));
    results.growth = growth;
    if (ok(growth)) rows.push(...growthRows(growth, machine));
  }

  const generatedAt = new Date().toISOString();
  const conditions = `${machine}; ${services}${quick ? '; QUICK sizes' : ''}`;
  if (only)
    writePartial(
      results,
      rows.filter((r) => r.value !== null),
      generatedAt,
      conditions,
    );
  else writeReport(results, rows, generatedAt, conditions);
  process.stderr.write(`[bench] wrote e2e/bench/results/latest.json and chart.html, and the README table\n`);
  for (const row of rows) process.stdout.write(`${row.figure}: ${row.value ?? 'not measured'} ${row.unit} (target ${row.target})\n`);
}

await main();
process.exit(0);
