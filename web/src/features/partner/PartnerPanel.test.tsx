// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { INVITE_CODE } from '@duet/client/testing';
import { en, renderScreen } from '../../testing/render.tsx';
import { PartnerPanel } from './PartnerPanel.tsx';

describe('PartnerPanel', () => {
  it('creates an invite code to give to the partner', async () => {
    const user = userEvent.setup();
    await renderScreen(<PartnerPanel />, { signedIn: 'ana@example.com' });
    expect(await screen.findByText(en.partner.notLinked)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: en.partner.createInvite }));
    expect(await screen.findByText('ABCD-EFGH-JKLM')).toBeTruthy();
  });

  it("accepts the partner's code and shows who is linked", async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<PartnerPanel />, { signedIn: 'ana@example.com' });
    await user.type(screen.getByLabelText(en.partner.acceptLabel), INVITE_CODE);
    await user.click(screen.getByRole('button', { name: en.partner.accept }));
    expect(await screen.findByText(en.partner.accepted.replace('{{name}}', 'Ben'))).toBeTruthy();
    await waitFor(async () => expect((await h.client.read.me())?.sharedSpaceId).toBe('shared-1'));
    // Linked: the partner is shown, and the invite forms are gone.
    expect(screen.queryByLabelText(en.partner.acceptLabel)).toBeNull();
    expect(screen.getByRole('button', { name: en.partnerLink.unlink })).toBeTruthy();
  });

  it('tells in plain words when there is no such invite', async () => {
    const user = userEvent.setup();
    await renderScreen(<PartnerPanel />, { signedIn: 'ana@example.com' });
    await user.type(screen.getByLabelText(en.partner.acceptLabel), 'AAAA-BBBB-CCCC');
    await user.click(screen.getByRole('button', { name: en.partner.accept }));
    expect(await screen.findByText(en.errors.invite_not_found)).toBeTruthy();
  });
});
