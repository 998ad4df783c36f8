/** Multi-step user journeys the specs share: new accounts, signing in, linking partners, the service worker. */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DuetApp } from './pages/index.ts';
import type { Credentials } from './pages/index.ts';

/** A fresh account's details; the email is unique per call so specs never collide. */
export function newUser(displayName: string): Credentials {
  const tag = randomBytes(5).toString('hex');
  return { displayName, email: `${displayName.toLowerCase()}-${tag}@example.com`, password: `pw-${tag}-long-enough` };
}

/** Signs a new user up on this profile and waits for the conversations screen. */
export async function signUp(app: DuetApp, baseUrl: string, user: Credentials): Promise<void> {
  await app.auth.open(baseUrl, 'signup');
  await app.auth.signUp(user);
  await app.conversations.heading.waitFor({ timeout: 20_000 });
}

/** Logs an existing user in on this profile (another device) and waits for the first sync. */
export async function logIn(app: DuetApp, baseUrl: string, user: Credentials): Promise<void> {
  await app.auth.open(baseUrl, 'login');
  await app.auth.logIn(user);
  await app.conversations.heading.waitFor({ timeout: 20_000 });
  await app.status.waitForAllSent();
}

/**
 * Waits until the service worker is active and controls this page, reloading once if the page
 * loaded before the worker claimed it. Only a controlled page can be reloaded offline.
 */
export async function ensureServiceWorkerControl(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!(await controlled())) await page.reload();
  const deadline = Date.now() + 15_000;
  while (!(await controlled())) {
    if (Date.now() > deadline) throw new Error('the service worker never took control of the page');
    await page.waitForTimeout(100);
  }
}

/** A pairs A and B as partners through an invite code; both end up knowing the shared space. */
export async function linkPartners(a: DuetApp, aUser: Credentials, b: DuetApp, bUser: Credentials, baseUrl: string): Promise<void> {
  await a.partner.open(baseUrl);
  const code = await a.partner.createInvite();
  await b.partner.open(baseUrl);
  await b.partner.acceptInvite(code, aUser.displayName);
  await b.partner.linkedWith(aUser.displayName).waitFor({ timeout: 20_000 });
  // A learns about the shared space on its next pull; a reload starts one at once.
  await a.page.reload();
  await a.partner.linkedWith(bUser.displayName).waitFor({ timeout: 20_000 });
}
