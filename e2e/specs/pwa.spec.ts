/**
 * The installable PWA: Chromium finds no installability or manifest errors, the manifest has what
 * an install needs, the service worker controls the page, and a deep link opens offline.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAppServer } from '../support/app-server.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import type { AppServer } from '../support/app-server.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import type { Profile } from '../support/browser.ts';
import { ensureServiceWorkerControl, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp } from '../support/pages/index.ts';

interface ManifestIcon {
  src: string;
  sizes?: string;
  type?: string;
  purpose?: string;
}

interface WebManifest {
  id?: string;
  name?: string;
  short_name?: string;
  start_url?: string;
  display?: string;
  theme_color?: string;
  icons?: ManifestIcon[];
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('installable PWA', () => {
  let server: AppServer;
  let profile: Profile;

  beforeAll(async () => {
    server = await startAppServer();
    profile = await openProfile();
  });

  afterAll(async () => {
    await profile?.close();
    await server?.stop();
  });

  test('Chromium reports no installability or manifest errors, and the manifest is complete', async () => {
    screenshotsOnFailure('pwa', () => [profile]);
    const { page, context } = profile;
    await page.goto(server.url);
    await new DuetApp(page).auth.heading('login').waitFor();
    await ensureServiceWorkerControl(page);

    const cdp = await context.newCDPSession(page);
    const installability = await cdp.send('Page.getInstallabilityErrors');
    expect(installability.installabilityErrors).toEqual([]);
    const manifestAnswer = await cdp.send('Page.getAppManifest');
    expect(manifestAnswer.errors).toEqual([]);
    expect(manifestAnswer.url).toBe(`${server.url}/manifest.webmanifest`);
    await cdp.detach();

    const manifest = JSON.parse(manifestAnswer.data ?? '{}') as WebManifest;
    expect(manifest.name).toBe('Duet');
    expect(manifest.short_name).toBeTruthy();
    expect(manifest.id).toBeTruthy();
    expect(manifest.start_url).toBeTruthy();
    expect(manifest.display).toBe('standalone');
    const metaThemeColor = await page.locator('meta[name="theme-color"]').getAttribute('content');
    expect(manifest.theme_color).toBe(metaThemeColor);

    // Icons at 192 and 512 px, one of them maskable, each served as a PNG of the size it claims.
    const icons = manifest.icons ?? [];
    const sizes = icons.map((icon) => icon.sizes);
    expect(sizes).toContain('192x192');
    expect(sizes).toContain('512x512');
    expect(icons.some((icon) => (icon.purpose ?? '').split(/\s+/).includes('maskable'))).toBe(true);
    for (const icon of icons) {
      const response = await context.request.get(new URL(icon.src, manifestAnswer.url).href);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toContain('image/png');
      const { width, height } = pngSize(await response.body());
      expect(`${width}x${height}`).toBe(icon.sizes);
    }
  });

  test('the service worker controls the page and a deep link to a conversation opens offline', async () => {
    screenshotsOnFailure('pwa', () => [profile]);
    const { page, context } = profile;
    const app = new DuetApp(page);
    await signUp(app, server.url, newUser('Robin'));
    // The browser offers the install, so the signed-in header shows the app's own "Install app" button.
    await app.header.installButton.waitFor({ timeout: 15_000 });
    await app.conversations.create('Deep link target');
    await app.conversations.openConversation('Deep link target');
    await app.conversation.send('Reachable offline by its address');
    await app.status.waitForAllSent();
    const deepLink = page.url();
    expect(new URL(deepLink).pathname).toMatch(/^\/conversations\/[A-Za-z0-9_-]+$/);

    await page.reload();
    await app.conversation.heading('Deep link target').waitFor();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}/sw.js`);

    // Offline, opening the address directly (a fresh navigation, not a reload) still shows the conversation.
    await page.goto(server.url);
    await app.conversations.heading.waitFor();
    await context.setOffline(true);
    await page.goto(deepLink);
    await app.conversation.heading('Deep link target').waitFor({ timeout: 15_000 });
    await app.conversation.message('Reachable offline by its address').waitFor();
    await screenshot(page, 'pwa-deep-link-offline');

    // An unknown address inside the app also gets the app shell offline, with its own not-found screen.
    await page.goto(`${server.url}/no/such/page`);
    await app.notFound.heading.waitFor({ timeout: 15_000 });
    await app.notFound.backLink.waitFor();
    await context.setOffline(false);
  });
});
