// The password, invitation-email and billing calls as the server expects them: path, token, body,
// and the answer validated against its schema.
import { describe, expect, it } from 'vitest';
import { ApiClient } from './client.ts';

function recordingApi(answers: Record<string, unknown>) {
  const seen: Array<{ method: string; path: string; auth: string | null; body: unknown }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    const text = await request.text();
    seen.push({ method: request.method, path, auth: request.headers.get('Authorization'), body: text ? JSON.parse(text) : undefined });
    return new Response(JSON.stringify(answers[path] ?? {}), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { api: new ApiClient({ baseUrl: 'http://duet.test', fetch }), seen };
}

describe('ApiClient: passwords, invitations by email, billing', () => {
  it('asks for a reset without a token, and confirms it with the link’s token', async () => {
    const { api, seen } = recordingApi({
      '/api/auth/password-reset': { status: 'requested' },
      '/api/auth/password-reset/confirm': { revokedSessions: 3 },
    });
    await api.requestPasswordReset('rosa@example.com');
    expect(await api.resetPassword('t'.repeat(43), 'new password')).toEqual({ revokedSessions: 3 });
    expect(seen).toEqual([
      { method: 'POST', path: '/api/auth/password-reset', auth: null, body: { email: 'rosa@example.com' } },
      { method: 'POST', path: '/api/auth/password-reset/confirm', auth: null, body: { token: 't'.repeat(43), password: 'new password' } },
    ]);
  });

  it('changes the password and invites by email with the bearer token', async () => {
    const { api, seen } = recordingApi({
      '/api/auth/password': { revokedSessions: 1 },
      '/api/invites/email': { code: 'ABCD-EFGH-JKLM', expiresAt: '2026-12-08T00:00:00.000Z' },
    });
    expect(await api.changePassword('tok', 'old', 'new password')).toEqual({ revokedSessions: 1 });
    expect((await api.inviteByEmail('tok', 'ben@example.com')).code).toBe('ABCD-EFGH-JKLM');
    expect(seen.map((s) => [s.path, s.auth, s.body])).toEqual([
      ['/api/auth/password', 'Bearer tok', { currentPassword: 'old', newPassword: 'new password' }],
      ['/api/invites/email', 'Bearer tok', { email: 'ben@example.com' }],
    ]);
  });

  it('reads the plan and the Stripe addresses, refusing an answer of the wrong shape', async () => {
    const billing = {
      plan: 'free',
      status: 'none',
      billingConfigured: true,
      period: '2026-12',
      usage: { analyses: { used: 7, limit: 10 }, audioMinutes: { used: 0, limit: 30 } },
    };
    const { api } = recordingApi({
      '/api/billing': billing,
      '/api/billing/checkout': { url: 'https://checkout.stripe.test/c/1' },
      '/api/billing/portal': { nope: true },
    });
    expect(await api.billing('tok')).toEqual(billing);
    expect(await api.billingCheckout('tok')).toBe('https://checkout.stripe.test/c/1');
    await expect(api.billingPortal('tok')).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
