/** Under a conversation's title in the list: the last message, cut to one line, and the unread count. */
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../data/index.ts';
import { excerpt } from '../../app/excerpt.ts';
import { usePersonName } from '../../app/use-person-name.ts';
import { useFormatters } from '../../i18n/format.ts';

export function ConversationActivityLine({ conversation }: { conversation: ConversationView }) {
  const { t } = useTranslation();
  const personName = usePersonName();
  const format = useFormatters();
  const { lastMessage, unread } = conversation;
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
      {unread > 0 && (
        <span className="badge badge--unread">
          <span aria-hidden="true">{format.number(unread)}</span>
          <span className="visually-hidden">{t('everyday.list.unread', { count: unread })}</span>
        </span>
      )}
    </div>
  );
}
