/**
 * The browser: in Chromium (phone size), the first sync of an account with N messages into
 * IndexedDB, opening that conversation, an offline reload of the app shell, and the size of the
 * JavaScript and CSS a first load fetches, gzipped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openProfile } from '../support/browser.ts';
import { round } from './node-device.ts';

const DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface BrowserResult {
  messages: number;
  firstSyncMs: number;
  /** Messages stored per second of the first sync. */
  firstSyncRowsPerSecond: number;
  /** The longest main-thread task while the first sync ran, and how many were over 50 ms. */
  longestTaskMs: number;
  tasksOver50Ms: number;
  openConversationMs: number;
  offlineReloadMs: number;
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

export async function runBrowser(
  url: string,
  account: { email: string; password: string; messages: number; title: string },
): Promise<BrowserResult> {
  const profile = await openProfile();
  const { page, context } = profile;
  // Main-thread tasks over 50 ms (the browser's long tasks), from the start of the page.
  await context.addInitScript(() => {
    const tasks: Array<{ start: number; duration: number }> = [];
    (window as unknown as { __duetLongTasks: typeof tasks }).__duetLongTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  try {
    await page.goto(`${url}/login`);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    const syncStartedInPage = await page.evaluate(() => performance.now());
    let started = performance.now();
    await page.getByRole('button', { name: 'Log in' }).click();
    const deadline = Date.now() + 120_000 + account.messages;
    while ((await idbMessageCount(page)) < account.messages) {
      if (Date.now() > deadline) throw new Error(`first sync of ${account.messages} messages did not finish in time`);
      await page.waitForTimeout(50);
    }
    const firstSyncMs = performance.now() - started;
    const longTasks = await page.evaluate(
      (from) =>
        (window as unknown as { __duetLongTasks: Array<{ start: number; duration: number }> }).__duetLongTasks.filter(
          (t) => t.start >= from,
        ),
      syncStartedInPage,
    );

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
    await context.setOffline(false);

    const size = firstLoadSize();
    return {
      messages: account.messages,
      firstSyncMs: round(firstSyncMs),
      firstSyncRowsPerSecond: Math.round((account.messages * 1000) / firstSyncMs),
      longestTaskMs: round(Math.max(0, ...longTasks.map((t) => t.duration))),
      tasksOver50Ms: longTasks.length,
      openConversationMs: round(openConversationMs),
      offlineReloadMs: round(offlineReloadMs),
      firstLoadGzipBytes: size.bytes,
      firstLoadFiles: size.files,
    };
  } finally {
    await profile.close();
  }
}
