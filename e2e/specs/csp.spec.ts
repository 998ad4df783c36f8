/**
 * The Content-Security-Policy as Chromium applies it: connect-src is the app's own origin only, and
 * `'self'` covers the same-origin WebSocket, so the app's real-time socket connects while a socket
 * to any other host (an exfiltration channel for injected script) is refused by the policy.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { openProfile, type Profile } from '../support/browser.ts';

// A string, so that the bundler adds no helpers the page does not have.
const PROBE = `(async () => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  const attempt = (url) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onerror = () => resolve('refused');
  });
  const own = await attempt(location.origin.replace(/^http/, 'ws') + '/api/sync/ws');
  const other = await attempt('ws://127.0.0.2:9/collect');
  // The violation event may be dispatched after the failed attempt: wait for it, at most 5 s.
  for (let waited = 0; violations.length === 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return { own, other, violations };
})()`;

describe('content security policy', () => {
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

  test("lets the app's own WebSocket connect and refuses one to another host", async () => {
    const response = await profile.page.goto(server.url);
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
    const result = await profile.page.evaluate<{ own: string; other: string; violations: Array<{ directive: string; blocked: string }> }>(
      PROBE,
    );
    expect(result.own).toBe('open');
    expect(result.other).toBe('refused');
    expect(result.violations).toEqual([{ directive: 'connect-src', blocked: 'ws://127.0.0.2:9/collect' }]);
  });
});
