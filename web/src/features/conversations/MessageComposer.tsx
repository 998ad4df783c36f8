import { useId, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TEXT_LENGTH } from '@duet/shared';
import { useDuetClient } from '../../data/index.ts';
import { useAction } from '../../app/use-action.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { FormError } from '../../app/FormError.tsx';
import { ReplyingBanner } from './ReplyingBanner.tsx';
import { useReply } from './reply-context.tsx';

/**
 * Writes a new message; Enter sends, Shift+Enter starts a new line. In a `shared` conversation,
 * typing tells the partner (the real-time client throttles those frames).
 */
export function MessageComposer({ conversationId, shared = false }: { conversationId: string; shared?: boolean }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const mutate = useMutate();
  const id = useId();
  const [body, setBody] = useState('');
  const { error, run } = useAction();

  const reply = useReply();

  const send = async () => {
    const text = body;
    const replyArgs = reply.replyingTo ? { replyTo: reply.replyingTo.id } : {};
    if (!text.trim()) return;
    // Clear at once so the next message can be typed while this one is stored; put it back on failure.
    setBody('');
    await run(
      async () => {
        await mutate('message.add', { id: client.newId(), conversationId, body: text, ...replyArgs });
        reply.cancelReply();
        void client.sessionTracker.recordActivity('chat').catch(() => undefined);
      },
      () => setBody((current) => (current === '' ? text : current)),
    );
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };

  const onChange = (text: string) => {
    setBody(text);
    if (shared && text.trim()) client.realtime.sendTyping(conversationId);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <FormError message={error} />
      <ReplyingBanner />
      <div className="composer-row">
        <label htmlFor={id} className="visually-hidden">
          {t('conversation.messageLabel')}
        </label>
        <textarea
          id={id}
          value={body}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          rows={1}
          maxLength={MAX_TEXT_LENGTH}
          placeholder={t('conversation.messagePlaceholder')}
        />
        <button type="submit" className="button button--primary" disabled={!body.trim()}>
          {t('conversation.send')}
        </button>
      </div>
    </form>
  );
}
