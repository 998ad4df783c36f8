import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../data/index.ts';
import { useMe } from '../../data/index.ts';
import { useAction } from '../../app/use-action.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { usePersonName } from '../../app/use-person-name.ts';
import { useFormatters } from '../../i18n/format.ts';
import { MessageEditor } from './MessageEditor.tsx';
import { FormError } from '../../app/FormError.tsx';
import { DeletedMessage, ReplyButton } from './MessageExtras.tsx';
import { MessageBody } from './MessageBody.tsx';
import { ReplyQuote } from './ReplyQuote.tsx';
import { useReply } from './reply-context.tsx';
import { COMPOSER_ID } from './MessageComposer.tsx';

type Mode = 'view' | 'edit' | 'confirmDelete';

function isToday(at: number): boolean {
  return new Date(at).toDateString() === new Date().toDateString();
}

/** One message; its author can edit or delete it (delete asks once more). */
export function MessageItem({ message }: { message: MessageView }) {
  const { t } = useTranslation();
  const me = useMe();
  const mutate = useMutate();
  const personName = usePersonName();
  const format = useFormatters();
  const [mode, setMode] = useState<Mode>('view');
  // Where focus returns when an editor or the delete question closes: the button that opened it.
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const returnTo = useRef<'edit' | 'delete' | null>(null);
  const close = (to: 'edit' | 'delete') => {
    returnTo.current = to;
    setMode('view');
  };
  useEffect(() => {
    // The question replaces the Delete button: focus moves to its answer.
    if (mode === 'confirmDelete') confirmButton.current?.focus();
    if (mode !== 'view' || !returnTo.current) return;
    (returnTo.current === 'edit' ? editButton : deleteButton).current?.focus();
    returnTo.current = null;
  }, [mode]);
  const action = useAction();
  const { error } = action;
  const own = me?.user.id === message.authorId;
  const author = personName(message.authorId);
  const when = isToday(message.createdAt) ? format.time(message.createdAt) : format.dateTime(message.createdAt);

  const reply = useReply();

  if (message.deleted) return <DeletedMessage author={author} when={when} createdAt={message.createdAt} />;

  const run = (change: () => Promise<void>, then: () => void) =>
    action.run(async () => {
      await change();
      then();
    });

  return (
    <article
      className={`message ${own ? 'message--own' : 'message--other'}`}
      aria-label={t('conversation.messageFrom', { author, time: when })}
    >
      <header className="message-meta">
        <span className="message-author">{author}</span>
        <time dateTime={new Date(message.createdAt).toISOString()}>{when}</time>
        {message.editedAt !== null && <span>{t('conversation.edited')}</span>}
        {message.pending && <span className="message-pending">{t('conversation.notSent')}</span>}
      </header>
      {mode === 'edit' ? (
        <MessageEditor
          initial={message.body}
          onCancel={() => close('edit')}
          onSave={(body) =>
            run(
              () => mutate('message.edit', { id: message.id, body }),
              () => close('edit'),
            )
          }
        />
      ) : (
        <>
          {message.replyTo && <ReplyQuote original={reply.messageById(message.replyTo)} />}
          <MessageBody text={message.body} />
        </>
      )}
      {mode === 'view' && <ReplyButton message={message} />}
      {own && mode === 'view' && (
        <div className="message-actions">
          <button
            ref={editButton}
            type="button"
            className="link-button"
            aria-label={t('conversation.edit')}
            onClick={() => setMode('edit')}
          >
            {t('common.edit')}
          </button>
          <button
            ref={deleteButton}
            type="button"
            className="link-button"
            aria-label={t('conversation.delete')}
            onClick={() => setMode('confirmDelete')}
          >
            {t('common.delete')}
          </button>
        </div>
      )}
      {mode === 'confirmDelete' && (
        // Escape answers "no", as Cancel does.
        // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
        <div
          className="message-actions"
          role="group"
          aria-label={t('conversation.confirmDeleteQuestion')}
          onKeyDown={(e) => e.key === 'Escape' && close('delete')}
        >
          <span>{t('conversation.confirmDeleteQuestion')}</span>
          <button
            ref={confirmButton}
            type="button"
            className="button button--small button--danger"
            // The message goes with its buttons: focus goes back to the composer.
            onClick={() =>
              void run(
                () => mutate('message.delete', { id: message.id }),
                () => document.getElementById(COMPOSER_ID)?.focus(),
              )
            }
          >
            {t('conversation.confirmDelete')}
          </button>
          <button type="button" className="button button--small button--quiet" onClick={() => close('delete')}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <FormError message={error} />
    </article>
  );
}
