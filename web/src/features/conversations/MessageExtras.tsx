/** Small parts of a message: the placeholder left by a deleted one, and the Reply button. */
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../data/index.ts';
import { useReply } from './reply-context.tsx';

export function DeletedMessage({ author, when, createdAt }: { author: string; when: string; createdAt: number }) {
  const { t } = useTranslation();
  return (
    <article className="message message--deleted" aria-label={t('everyday.message.deletedLabel', { author, time: when })}>
      <header className="message-meta">
        <span className="message-author">{author}</span>
        <time dateTime={new Date(createdAt).toISOString()}>{when}</time>
      </header>
      <p className="message-body">{t('everyday.message.deleted')}</p>
    </article>
  );
}

export function ReplyButton({ message }: { message: MessageView }) {
  const { t } = useTranslation();
  const { startReply } = useReply();
  return (
    <div className="message-actions message-actions--reply">
      <button type="button" className="link-button" aria-label={t('everyday.reply.replyTo')} onClick={() => startReply(message)}>
        {t('everyday.reply.reply')}
      </button>
    </div>
  );
}
