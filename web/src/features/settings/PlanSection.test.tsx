// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { BillingResponse } from '@duet/shared';
import { describe, expect, it, vi } from 'vitest';
import { clientHarness } from '@duet/client/testing';
import { ApiError } from '../../data/index.ts';
import { en, renderScreen } from '../../testing/render.tsx';
import { ChangePasswordSection } from './ChangePasswordSection.tsx';
import { PlanSection } from './PlanSection.tsx';

const overview = (over: Partial<BillingResponse> = {}): BillingResponse => ({
  plan: 'free',
  status: 'none',
  billingConfigured: true,
  period: '2026-12',
  usage: { analyses: { used: 7, limit: 10 }, audioMinutes: { used: 12, limit: 30 } },
  ...over,
});

async function renderPlan(answer: BillingResponse) {
  const harness = clientHarness();
  vi.spyOn(harness.client.billing, 'overview').mockResolvedValue(answer);
  return renderScreen(<PlanSection />, { signedIn: 'ana@example.com', harness });
}

describe('PlanSection', () => {
  it('shows the plan and this month’s usage in words, with the way to upgrade', async () => {
    await renderPlan(overview());
    expect(await screen.findByText(en.billing.plan.free)).toBeTruthy();
    expect(screen.getByText('7 of 10 analyses this month')).toBeTruthy();
    expect(screen.getByText('12 of 30 audio minutes this month')).toBeTruthy();
    expect(screen.getByRole('meter', { name: en.billing.analysesMeter }).getAttribute('value')).toBe('7');
    expect(screen.getByRole('button', { name: en.billing.upgrade })).toBeTruthy();
  });

  it('says billing is not configured and offers nothing to buy', async () => {
    await renderPlan(overview({ billingConfigured: false }));
    expect(await screen.findByText(en.billing.notConfigured)).toBeTruthy();
    expect(screen.queryByRole('button', { name: en.billing.upgrade })).toBeNull();
  });

  it('offers the portal on Premium and warns when the payment is past due', async () => {
    await renderPlan(
      overview({
        plan: 'premium',
        status: 'past_due',
        usage: { analyses: { used: 1, limit: 500 }, audioMinutes: { used: 0, limit: 1200 } },
      }),
    );
    expect(await screen.findByText(en.billing.plan.premium)).toBeTruthy();
    expect(screen.getByText(en.billing.pastDue)).toBeTruthy();
    expect(screen.getByText('1 of 500 analyses this month')).toBeTruthy();
    expect(screen.getByRole('button', { name: en.billing.manage })).toBeTruthy();
  });

  it('explains a refused upgrade in plain words', async () => {
    const user = userEvent.setup();
    const h = await renderPlan(overview());
    vi.spyOn(h.client.billing, 'checkoutUrl').mockRejectedValue(
      new ApiError({ code: 'billing_not_configured', status: 501, message: 'billing is not configured' }),
    );
    await user.click(await screen.findByRole('button', { name: en.billing.upgrade }));
    expect(await screen.findByText(en.errors.billing_not_configured)).toBeTruthy();
  });
});

describe('ChangePasswordSection', () => {
  it('says when the current password is wrong, and how many devices a change signed out', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<ChangePasswordSection />, { signedIn: 'ana@example.com' });
    const change = vi
      .spyOn(h.client.account, 'changePassword')
      .mockRejectedValueOnce(new ApiError({ code: 'wrong_password', status: 400 }))
      .mockResolvedValueOnce({ revokedSessions: 2 });
    await user.type(screen.getByLabelText(en.passwords.currentPassword), 'not it');
    await user.type(screen.getByLabelText(en.passwords.newPassword), 'a new password');
    await user.click(screen.getByRole('button', { name: en.passwords.changeSubmit }));
    expect(await screen.findByText(en.errors.wrong_password)).toBeTruthy();
    await user.clear(screen.getByLabelText(en.passwords.currentPassword));
    await user.type(screen.getByLabelText(en.passwords.currentPassword), 'password1');
    await user.click(screen.getByRole('button', { name: en.passwords.changeSubmit }));
    expect(await screen.findByText('Password changed. 2 other devices were signed out.')).toBeTruthy();
    expect(change).toHaveBeenLastCalledWith('password1', 'a new password');
  });
});
