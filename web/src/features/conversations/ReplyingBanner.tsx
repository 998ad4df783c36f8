/** Above the composer while a reply is being written: what it answers, and a way to stop replying. */
import { useTranslation } from 'react-i18next';
import { ReplyQuote } from './ReplyQuote.tsx';
import { useReply } from './reply-context.tsx';

export function ReplyingBanner() {
  const { t } = useTranslation();
  const { replyingTo, cancelReply } = useReply();
  if (!replyingTo) return null;
  return (
    <div className="replying" role="group" aria-label={t('everyday.reply.replyingLabel')}>
      <ReplyQuote original={replyingTo} />
      <button type="button" className="button button--small button--quiet" onClick={cancelReply}>
        {t('everyday.reply.cancel')}
      </button>
    </div>
  );
}
