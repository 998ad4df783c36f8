/**
 * The browser: in Chromium (phone size), the first sync of an account with N messages into
 * IndexedDB, opening that conversation, an offline reload of the app shell, and the size of the
 * JavaScript and CSS a first load fetches, gzipped; and offline search over those messages.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openProfile } from '../support/browser.ts';
import { round } from './node-device.ts';
import { uiPattern, uiText } from '../support/pages/index.ts';

const DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface BrowserResult extends FirstSyncResult {
  openConversationMs: number;
  offlineReloadMs: number;
  search: SearchTiming;
  firstLoadGzipBytes: number;
  firstLoadFiles: string[];
}

/** The files index.html loads at once (scripts, module preloads, styles), gzipped. */
export function firstLoadSize(): { bytes: number; files: string[] } {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  const bytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(DIST, file)), { level: 9 }).length, 0);
  return { bytes, files };
}

async function idbMessageCount(page: import('playwright-core').Page): Promise<number> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name).filter((n): n is string => Boolean(n));
    for (const name of names) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB failed'));
      });
      try {
        if (!db.objectStoreNames.contains('messages')) continue;
        return await new Promise<number>((resolve, reject) => {
          const request = db.transaction('messages').objectStore('messages').count();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error ?? new Error('IndexedDB failed'));
        });
      } finally {
        db.close();
      }
    }
    return 0;
  });
}

export interface SearchTiming {
  /** Typing the first query to its results on screen: loads the search code and builds the index. */
  firstMs: number;
  /** Later queries, typed to results on screen (including the screen's 80 ms typing pause). */
  warmMedianMs: number;
  warmP95Ms: number;
  queries: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/**
 * Search on the device (offline), through the search screen: the time from filling the box to the
 * result count on screen. Queries alternate between a rare word (one message: "#4242" is "4242")
 * and a common one (most messages; the screen shows the best 50).
 */
async function measureSearch(page: import('playwright-core').Page, messages: number): Promise<SearchTiming> {
  const text = (key: string, vars?: Record<string, string | number>) => uiText('en', key, vars);
  await page.getByRole('link', { name: text('everyday.search.open'), exact: true }).click();
  const box = page.getByRole('searchbox', { name: text('everyday.search.label'), exact: true });
  await box.waitFor();
  const summary = page.locator('.search-summary');
  const counted = uiPattern('en', 'everyday.search.count');
  // Each query is timed from filling the box to a result count on screen that is not the last one's.
  const timeQuery = async (query: string) => {
    const before = await summary.innerText();
    const started = performance.now();
    await box.fill(query);
    await page.waitForFunction(
      ([previous, source]) => {
        const text = document.querySelector('.search-summary')?.textContent ?? '';
        return text !== previous && new RegExp(source, 'u').test(text);
      },
      [before, counted.source] as const,
      { timeout: 60_000, polling: 'raf' },
    );
    return performance.now() - started;
  };
  const rare = String(Math.min(4242, messages - 1));
  const firstMs = await timeQuery(rare);
  const warm: number[] = [];
  for (let i = 0; i < 10; i++) {
    warm.push(await timeQuery('weekend'));
    warm.push(await timeQuery(rare));
  }
  warm.sort((a, b) => a - b);
  return {
    firstMs: round(firstMs),
    warmMedianMs: round(percentile(warm, 50)),
    warmP95Ms: round(percentile(warm, 95)),
    queries: warm.length,
  };
}

/** What the page sees while a first sync runs: sampled every 100 ms by an init script. */
interface SyncWatch {
  tasks: Array<{ start: number; duration: number }>;
  heapPeak: number;
  progressSamples: number;
  progressPercents: number[];
}

// A string, not a function: the bench runs through tsx, whose helpers do not exist in the page.
const WATCH_SCRIPT = `(() => {
  const watch = { tasks: [], heapPeak: 0, progressSamples: 0, progressPercents: [] };
  window.__duetWatch = watch;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) watch.tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  setInterval(() => {
    const heap = performance.memory ? performance.memory.usedJSHeapSize : 0;
    if (heap > watch.heapPeak) watch.heapPeak = heap;
    const bar = document.querySelector('.status-progress progress');
    if (bar) {
      watch.progressSamples += 1;
      const percent = Number(bar.getAttribute('value'));
      if (watch.progressPercents[watch.progressPercents.length - 1] !== percent) watch.progressPercents.push(percent);
    }
  }, 100);
})();`;

export interface FirstSyncResult {
  messages: number;
  firstSyncMs: number;
  /** Messages stored per second of the first sync. */
  firstSyncRowsPerSecond: number;
  /** The longest main-thread task while the first sync ran, and how many were over 50 ms. */
  longestTaskMs: number;
  tasksOver50Ms: number;
  /** Each of those tasks: when it started (ms after pressing Log in) and how long it ran. */
  longTasks: Array<{ atMs: number; durationMs: number }>;
  /** The page's JS heap (performance.memory, sampled every 100 ms): its peak during the sync and once it is done. */
  heapPeakMiB: number;
  heapAfterMiB: number;
  /** Samples (every 100 ms) in which the progress bar was on screen, and the distinct percentages it showed. */
  progressSamples: number;
  progressPercents: number[];
}

/** Signs in on a new profile's page and waits until every message is in IndexedDB. */
async function signInAndSync(
  page: import('playwright-core').Page,
  url: string,
  account: { email: string; password: string; messages: number },
): Promise<FirstSyncResult> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  const syncStartedInPage = await page.evaluate(() => performance.now());
  const started = performance.now();
  await page.getByRole('button', { name: 'Log in' }).click();
  const deadline = Date.now() + 120_000 + account.messages;
  while ((await idbMessageCount(page)) < account.messages) {
    if (Date.now() > deadline) throw new Error(`first sync of ${account.messages} messages did not finish in time`);
    await page.waitForTimeout(50);
  }
  const firstSyncMs = performance.now() - started;
  const watch = await page.evaluate(() => (window as unknown as { __duetWatch: SyncWatch }).__duetWatch);
  const heapAfter = await page.evaluate(
    () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
  );
  const longTasks = watch.tasks.filter((t) => t.start >= syncStartedInPage);
  const mib = (bytes: number) => round(bytes / 1024 / 1024);
  return {
    messages: account.messages,
    firstSyncMs: round(firstSyncMs),
    firstSyncRowsPerSecond: Math.round((account.messages * 1000) / firstSyncMs),
    longestTaskMs: round(Math.max(0, ...longTasks.map((t) => t.duration))),
    tasksOver50Ms: longTasks.filter((t) => t.duration > 50).length,
    longTasks: longTasks.map((t) => ({ atMs: round(t.start - syncStartedInPage), durationMs: round(t.duration) })),
    heapPeakMiB: mib(watch.heapPeak),
    heapAfterMiB: mib(heapAfter),
    progressSamples: watch.progressSamples,
    progressPercents: watch.progressPercents,
  };
}

/** Only the first sync, for an account too large for the rest of the browser bench. */
export async function runFirstSync(url: string, account: { email: string; password: string; messages: number }): Promise<FirstSyncResult> {
  const profile = await openProfile({ extraArgs: ['--enable-precise-memory-info'] });
  try {
    await profile.context.addInitScript(WATCH_SCRIPT);
    return await signInAndSync(profile.page, url, account);
  } finally {
    await profile.close();
  }
}

export async function runBrowser(
  url: string,
  account: { email: string; password: string; messages: number; title: string },
): Promise<BrowserResult> {
  const profile = await openProfile({ extraArgs: ['--enable-precise-memory-info'] });
  const { page, context } = profile;
  await context.addInitScript(WATCH_SCRIPT);
  try {
    const sync = await signInAndSync(page, url, account);
    let started: number;

    await page.getByRole('link', { name: account.title }).first().waitFor();
    started = performance.now();
    await page.getByRole('link', { name: account.title }).first().click();
    await page
      .getByText(`#${account.messages - 1}`, { exact: false })
      .first()
      .waitFor({ timeout: 60_000 });
    const openConversationMs = performance.now() - started;

    await page.evaluate(async () => navigator.serviceWorker.ready);
    await page.goto(`${url}/conversations`);
    await page.getByRole('navigation').first().waitFor();
    await context.setOffline(true);
    started = performance.now();
    await page.reload();
    await page.getByRole('link', { name: account.title }).first().waitFor({ timeout: 30_000 });
    const offlineReloadMs = performance.now() - started;
    const search = await measureSearch(page, account.messages);
    await context.setOffline(false);

    const size = firstLoadSize();
    return {
      ...sync,
      openConversationMs: round(openConversationMs),
      offlineReloadMs: round(offlineReloadMs),
      search,
      firstLoadGzipBytes: size.bytes,
      firstLoadFiles: size.files,
    };
  } finally {
    await profile.close();
  }
}
