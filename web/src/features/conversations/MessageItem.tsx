import { useState } from 'react';
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
  const action = useAction();
  const { error } = action;
  const own = me?.user.id === message.authorId;
  const author = personName(message.authorId);
  const when = isToday(message.createdAt) ? format.time(message.createdAt) : format.dateTime(message.createdAt);

  const reply = useReply();

  if (message.deleted) return <DeletedMessage author={author} when={when} createdAt={message.createdAt} />;

  const run = (change: () => Promise<void>) =>
    action.run(async () => {
      await change();
      setMode('view');
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
          onCancel={() => setMode('view')}
          onSave={(body) => run(() => mutate('message.edit', { id: message.id, body }))}
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
          <button type="button" className="link-button" aria-label={t('conversation.edit')} onClick={() => setMode('edit')}>
            {t('common.edit')}
          </button>
          <button type="button" className="link-button" aria-label={t('conversation.delete')} onClick={() => setMode('confirmDelete')}>
            {t('common.delete')}
          </button>
        </div>
      )}
      {mode === 'confirmDelete' && (
        <div className="message-actions" role="group" aria-label={t('conversation.confirmDeleteQuestion')}>
          <span>{t('conversation.confirmDeleteQuestion')}</span>
          <button
            type="button"
            className="button button--small button--danger"
            onClick={() => void run(() => mutate('message.delete', { id: message.id }))}
          >
            {t('conversation.confirmDelete')}
          </button>
          <button type="button" className="button button--small button--quiet" onClick={() => setMode('view')}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <FormError message={error} />
    </article>
  );
}
