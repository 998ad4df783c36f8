// @vitest-environment happy-dom
// Writing, editing and deleting messages in a conversation.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { en, renderScreen } from '../../testing/render.tsx';
import { useMessages } from '../../data/index.ts';
import { MessageComposer } from './MessageComposer.tsx';
import { MessageItem } from './MessageItem.tsx';

// The virtualized MessageList lays out nothing without a layout engine: its items, plainly.
function Conversation({ id }: { id: string }) {
  return (
    <>
      {useMessages(id)?.map((message) => (
        <MessageItem key={message.id} message={message} />
      ))}
      <MessageComposer conversationId={id} />
    </>
  );
}

describe('the conversation composer', () => {
  it('Enter sends the message and empties the box; the message shows at once, not sent yet', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(() => <Conversation id="c1" />, { signedIn: 'ana@example.com' });
    await h.client.mutate('conversation.create', { id: 'c1', spaceId: h.spaceId, title: 'Ours' });
    const box = screen.getByLabelText(en.conversation.messageLabel);
    await user.type(box, 'Hello there{Enter}');
    await waitFor(async () => expect((await h.client.read.messages('c1')).map((m) => m.body)).toEqual(['Hello there']));
    expect(box).toHaveProperty('value', '');
    expect(await screen.findByText('Hello there')).toBeTruthy();
    expect(screen.getByText(en.conversation.notSent)).toBeTruthy();
  });

  it('Shift+Enter starts a new line instead of sending', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(() => <Conversation id="c1" />, { signedIn: 'ana@example.com' });
    await h.client.mutate('conversation.create', { id: 'c1', spaceId: h.spaceId, title: 'Ours' });
    await user.type(screen.getByLabelText(en.conversation.messageLabel), 'one{Shift>}{Enter}{/Shift}two');
    expect(screen.getByLabelText(en.conversation.messageLabel)).toHaveProperty('value', 'one\ntwo');
    expect(await h.client.read.messages('c1')).toEqual([]);
  });

  it('a refused message comes back into the box with the reason', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(() => <Conversation id="missing" />, { signedIn: 'ana@example.com' });
    await user.type(screen.getByLabelText(en.conversation.messageLabel), 'Lost?{Enter}');
    expect(await screen.findByText(en.errors.forbidden)).toBeTruthy();
    expect(screen.getByLabelText(en.conversation.messageLabel)).toHaveProperty('value', 'Lost?');
    expect(await h.client.read.messages('missing')).toEqual([]);
  });
});

describe('editing and deleting a message', () => {
  it('the author edits a message in place, and deletes it after confirming', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(() => <Conversation id="c1" />, { signedIn: 'ana@example.com' });
    await h.client.mutate('conversation.create', { id: 'c1', spaceId: h.spaceId, title: 'Ours' });
    await h.client.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'Frist' });

    await user.click(await screen.findByRole('button', { name: en.conversation.edit }));
    const editor = screen.getByLabelText(en.conversation.editLabel);
    await user.clear(editor);
    await user.type(editor, 'First');
    await user.click(screen.getByRole('button', { name: en.common.save }));
    await waitFor(async () => expect((await h.client.read.messages('c1'))[0]?.body).toBe('First'));
    expect(await screen.findByText('First')).toBeTruthy();
    expect(screen.queryByLabelText(en.conversation.editLabel)).toBeNull();

    await user.click(screen.getByRole('button', { name: en.conversation.delete }));
    expect((await h.client.read.messages('c1')).length).toBe(1);
    await user.click(screen.getByRole('button', { name: en.conversation.confirmDelete }));
    await waitFor(async () => expect(await h.client.read.messages('c1')).toMatchObject([{ id: 'm1', deleted: true, body: '' }]));
    // The message leaves a placeholder in its place, with nothing left to edit or delete.
    expect(await screen.findByText(en.everyday.message.deleted)).toBeTruthy();
    expect(screen.queryByRole('button', { name: en.conversation.delete })).toBeNull();
  });

  it('Escape cancels an edit and keeps the text', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(() => <Conversation id="c1" />, { signedIn: 'ana@example.com' });
    await h.client.mutate('conversation.create', { id: 'c1', spaceId: h.spaceId, title: 'Ours' });
    await h.client.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'Keep me' });
    await user.click(await screen.findByRole('button', { name: en.conversation.edit }));
    await user.type(screen.getByLabelText(en.conversation.editLabel), ' changed{Escape}');
    expect(screen.queryByLabelText(en.conversation.editLabel)).toBeNull();
    expect((await h.client.read.messages('c1'))[0]?.body).toBe('Keep me');
  });
});
