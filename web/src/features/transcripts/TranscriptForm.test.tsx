// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { en, renderScreen } from '../../testing/render.tsx';
import { TranscriptForm } from './TranscriptForm.tsx';

describe('TranscriptForm', () => {
  it('saves a draft on this device and says so', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<TranscriptForm />, { signedIn: 'ana@example.com' });
    await screen.findByRole('option', { name: en.transcripts.noConversation });
    const text = screen.getByLabelText(en.transcripts.text);
    await user.type(text, 'We talked about the garden.');
    await user.click(screen.getByRole('button', { name: en.transcripts.save }));
    expect(await screen.findByText(en.transcripts.saved)).toBeTruthy();
    expect(text).toHaveProperty('value', '');
    const [saved] = await h.client.read.transcripts();
    expect(saved).toMatchObject({ text: 'We talked about the garden.', status: 'draft', spaceId: h.spaceId, pending: true });
  });

  it('submits at once when asked, in the chosen conversation', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<TranscriptForm />, { signedIn: 'ana@example.com' });
    await h.client.mutate('conversation.create', { id: 'c1', spaceId: h.spaceId, title: 'Garden' });
    await user.selectOptions(screen.getByLabelText(en.transcripts.conversation), await screen.findByRole('option', { name: 'Garden' }));
    await user.type(screen.getByLabelText(en.transcripts.text), 'Roses.');
    await user.click(screen.getByLabelText(en.transcripts.submitNow));
    await user.click(screen.getByRole('button', { name: en.transcripts.save }));
    expect(await screen.findByText(en.transcriptText.queuedOnline)).toBeTruthy();
    await waitFor(async () => expect((await h.client.read.transcripts())[0]).toMatchObject({ conversationId: 'c1', text: 'Roses.' }));
    expect((await h.client.read.transcripts())[0]?.status).not.toBe('draft');
  });

  it('cannot be saved empty', async () => {
    await renderScreen(<TranscriptForm />, { signedIn: 'ana@example.com' });
    expect(screen.getByRole('button', { name: en.transcripts.save })).toHaveProperty('disabled', true);
  });
});
