/** Under a conversation's title in the list: the last message, cut to one line, and the unread count ("99+" past UNREAD_SCAN). */
import { useTranslation } from 'react-i18next';
import { UNREAD_SCAN, type ConversationView } from '../../data/index.ts';
import { excerpt } from '../../app/excerpt.ts';
import { usePersonName } from '../../app/use-person-name.ts';
import { useFormatters } from '../../i18n/format.ts';

export function ConversationActivityLine({ conversation }: { conversation: ConversationView }) {
  const { t } = useTranslation();
  const personName = usePersonName();
  const format = useFormatters();
  const { lastMessage, unread, unreadCapped } = conversation;
  const author = lastMessage ? personName(lastMessage.authorId) : '';
  const preview = !lastMessage
    ? t('everyday.list.noMessages')
    : lastMessage.deleted
      ? t('everyday.list.previewDeleted', { author })
      : t('everyday.list.preview', { author, text: excerpt(lastMessage.body, 60) });
  return (
    <div className="conversation-activity">
      <span className="conversation-preview" dir="auto">
        {preview}
      </span>
      {unreadCapped ? (
        <span className="badge badge--unread">
          <span aria-hidden="true">{t('everyday.list.unreadMoreBadge', { count: UNREAD_SCAN })}</span>
          <span className="visually-hidden">{t('everyday.list.unreadMore', { count: UNREAD_SCAN })}</span>
        </span>
      ) : (
        unread > 0 && (
          <span className="badge badge--unread">
            <span aria-hidden="true">{format.number(unread)}</span>
            <span className="visually-hidden">{t('everyday.list.unread', { count: unread })}</span>
          </span>
        )
      )}
    </div>
  );
}
