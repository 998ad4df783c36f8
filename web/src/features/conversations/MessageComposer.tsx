import { useId, useRef } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TEXT_LENGTH } from '@duet/shared';
import { useDuetClient } from '../../data/index.ts';
import { useAction } from '../../app/use-action.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { FormError } from '../../app/FormError.tsx';
import { ReplyingBanner } from './ReplyingBanner.tsx';
import { useReply } from './reply-context.tsx';
import { LengthHint } from '../../app/LengthHint.tsx';
import { useLimitedText } from '../../app/use-limited-text.ts';

/** The composer's text box, where focus goes back after a message is deleted. */
export const COMPOSER_ID = 'message-composer';

/**
 * Writes a new message; Enter sends, Shift+Enter starts a new line. In a `shared` conversation,
 * typing tells the partner (the real-time client throttles those frames).
 */
export function MessageComposer({ conversationId, shared = false }: { conversationId: string; shared?: boolean }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const mutate = useMutate();
  const hintId = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const { value: body, cut, setValue: setBody } = useLimitedText(MAX_TEXT_LENGTH);
  const { error, run } = useAction();

  const reply = useReply();

  const send = async () => {
    const text = body;
    const replyArgs = reply.replyingTo ? { replyTo: reply.replyingTo.id } : {};
    if (!text.trim()) return;
    // Focus stays in the composer (on a phone the keyboard stays open) for the next message.
    area.current?.focus();
    // Clear at once so the next message can be typed while this one is stored; put it back on failure.
    setBody('');
    await run(
      async () => {
        await mutate('message.add', { id: client.newId(), conversationId, body: text, ...replyArgs });
        reply.cancelReply();
        void client.sessionTracker.recordActivity('chat').catch(() => undefined);
      },
      () => {
        if (area.current?.value === '') setBody(text);
      },
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
        <label htmlFor={COMPOSER_ID} className="visually-hidden">
          {t('conversation.messageLabel')}
        </label>
        <textarea
          id={COMPOSER_ID}
          ref={area}
          value={body}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          rows={1}
          aria-describedby={hintId}
          placeholder={t('conversation.messagePlaceholder')}
        />
        <button
          type="submit"
          className="button button--primary"
          disabled={!body.trim()}
          // Keeps focus (and a phone's keyboard) in the text box when Send is tapped.
          onPointerDown={(e) => e.preventDefault()}
        >
          {t('conversation.send')}
        </button>
      </div>
      <LengthHint id={hintId} length={body.length} limit={MAX_TEXT_LENGTH} cut={cut} />
    </form>
  );
}
