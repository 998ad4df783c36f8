/** Debian's Chromium through playwright-core, with the flags this machine needs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const PHONE = { width: 360, height: 740 };
export const ARTIFACTS = fileURLToPath(new URL('../artifacts', import.meta.url));

export interface Profile {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A browser profile of its own (one "device"): a persistent context on a fresh user-data dir. */
export async function openProfile(options: { locale?: string; extraArgs?: string[] } = {}): Promise<Profile> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
    viewport: PHONE,
    locale: options.locale ?? 'en-US',
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
