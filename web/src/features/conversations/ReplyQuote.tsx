/** The quote above a reply (or above the composer while writing one): who wrote what it answers. */
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../data/index.ts';
import { excerpt } from '../../app/excerpt.ts';
import { usePersonName } from '../../app/use-person-name.ts';

export function ReplyQuote({ original }: { original: MessageView | undefined }) {
  const { t } = useTranslation();
  const personName = usePersonName();
  if (!original || original.deleted) {
    return (
      <blockquote className="reply-quote reply-quote--gone">
        {original ? t('everyday.reply.originalDeleted') : t('everyday.reply.originalMissing')}
      </blockquote>
    );
  }
  return (
    <blockquote className="reply-quote">
      <span className="reply-quote-author">{personName(original.authorId)}</span>
      <span className="reply-quote-text" dir="auto">
        {excerpt(original.body, 120)}
      </span>
    </blockquote>
  );
}
