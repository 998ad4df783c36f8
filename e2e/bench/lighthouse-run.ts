/** Lighthouse (mobile profile) against the built app, in Debian's Chromium. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.ts';
import { round } from './node-device.ts';

export interface LighthouseResult {
  performance: number | null;
  accessibility: number | null;
  bestPractices: number | null;
  lcpMs: number | null;
  cls: number | null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForDevtools(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/json/version`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Chromium did not open its DevTools port');
}

export async function runLighthouse(url: string): Promise<LighthouseResult> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-lighthouse-'));
  const chrome = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`, `--user-data-dir=${dir}`, 'about:blank'], {
    stdio: 'ignore',
  });
  try {
    await waitForDevtools(port);
    const result = await lighthouse(url, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'],
    });
    if (!result) throw new Error('lighthouse gave no result');
    const { categories, audits } = result.lhr;
    const score = (id: string) => (categories[id]?.score == null ? null : Math.round((categories[id]?.score ?? 0) * 100));
    return {
      performance: score('performance'),
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      lcpMs: audits['largest-contentful-paint']?.numericValue == null ? null : round(audits['largest-contentful-paint'].numericValue),
      cls: audits['cumulative-layout-shift']?.numericValue == null ? null : round(audits['cumulative-layout-shift'].numericValue, 3),
    };
  } finally {
    // Chromium may still write to its profile while it goes: wait for it, and retry the removal.
    const exited = new Promise((resolve) =>
      chrome.exitCode !== null || chrome.signalCode !== null ? resolve(null) : chrome.once('exit', resolve),
    );
    chrome.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
